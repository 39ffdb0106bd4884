"""Speech to text: 16 kHz float32 utterances in, transcripts out, decoded off the event loop."""
