// Microphone capture on the audio thread: gathers the context's samples (the context runs at
// the agent's input rate) into fixed-size PCM16 chunks and reports the input level.

class CaptureProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.chunk = new Int16Array(options.processorOptions.chunkSamples);
    this.filled = 0;
    this.sumSquares = 0;
    this.muted = false;
    this.port.onmessage = ({ data }) => {
      if (data.type === "mute") this.muted = data.muted;
    };
  }

  process(inputs) {
    const channel = inputs[0]?.[0];
    if (!channel) return true;
    for (let i = 0; i < channel.length; i += 1) {
      const sample = this.muted ? 0 : Math.max(-1, Math.min(1, channel[i]));
      this.sumSquares += sample * sample;
      this.chunk[this.filled] = sample < 0 ? sample * 0x8000 : sample * 0x7fff;
      this.filled += 1;
      if (this.filled === this.chunk.length) this.flush();
    }
    return true;
  }

  flush() {
    const level = Math.sqrt(this.sumSquares / this.chunk.length);
    const pcm = this.chunk.slice().buffer;
    this.port.postMessage({ pcm, level }, [pcm]);
    this.filled = 0;
    this.sumSquares = 0;
  }
}

registerProcessor("parley-capture", CaptureProcessor);
