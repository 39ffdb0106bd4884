"""Conversation use cases: authorising a connection, starting the engine, reading records."""
