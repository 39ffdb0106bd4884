"""Admitting and opening conversations."""
