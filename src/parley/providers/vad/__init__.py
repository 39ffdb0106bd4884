"""Voice activity detection: speech probabilities per 32 ms frame of 16 kHz audio."""
