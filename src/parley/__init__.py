"""Parley: a self-hosted server for the ElevenLabs Agents Platform API."""

__version__ = "0.1.0"
