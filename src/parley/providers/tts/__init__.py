"""Text to speech behind one streaming interface: Piper and Kokoro ONNX voices on the CPU."""
