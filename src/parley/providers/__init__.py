"""Model providers (LLM now; VAD, STT, TTS and embeddings later), each behind a small interface."""
