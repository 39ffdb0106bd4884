"""The models behind their interfaces: LLMs, speech-to-text, text-to-speech, VAD."""
