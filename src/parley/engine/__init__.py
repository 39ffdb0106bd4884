"""The conversation engine: turn-taking, timers, tools and transcript, with no socket I/O.

The WebSocket edge parses frames into typed client events, hands them to a
:class:`~parley.engine.conversation.Conversation` and sends the server events it emits.
"""
