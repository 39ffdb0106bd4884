// Agent audio on the audio thread: a queue of chunks played back to back, so consecutive
// audio events join without gaps; "flush" empties it at once (the user interrupted).
// It counts the audible samples it actually played: proof that the agent was heard.

const AUDIBLE = 0.01; // about -40 dBFS
const REPORT_EVERY = 8; // render quanta (8 × 128 samples)
const HANGOVER_SECONDS = 0.25; // a short underrun between chunks is not the end of speech

class PlaybackProcessor extends AudioWorkletProcessor {
  constructor() {
    super();
    this.queue = [];
    this.offset = 0;
    this.playing = false;
    this.played = 0;
    this.audible = 0;
    this.sumSquares = 0;
    this.quanta = 0;
    this.idleQuanta = 0;
    this.hangoverQuanta = Math.ceil((HANGOVER_SECONDS * sampleRate) / 128);
    this.port.onmessage = ({ data }) => {
      if (data.type === "push") this.queue.push(data.samples);
      else if (data.type === "flush") {
        this.queue = [];
        this.offset = 0;
        this.setPlaying(false);
      }
    };
  }

  setPlaying(playing) {
    if (playing === this.playing) return;
    this.playing = playing;
    this.report();
  }

  report() {
    const level = Math.sqrt(this.sumSquares / Math.max(1, this.quanta * 128));
    this.port.postMessage({ type: "stats", playing: this.playing, played: this.played, audible: this.audible, level });
    this.sumSquares = 0;
    this.quanta = 0;
  }

  process(_inputs, outputs) {
    const output = outputs[0][0];
    let written = 0;
    while (written < output.length && this.queue.length > 0) {
      const head = this.queue[0];
      const count = Math.min(output.length - written, head.length - this.offset);
      for (let i = 0; i < count; i += 1) {
        const sample = head[this.offset + i];
        output[written + i] = sample;
        this.sumSquares += sample * sample;
        if (Math.abs(sample) > AUDIBLE) this.audible += 1;
      }
      written += count;
      this.offset += count;
      if (this.offset === head.length) {
        this.queue.shift();
        this.offset = 0;
      }
    }
    output.fill(0, written);
    this.played += written;
    this.quanta += 1;
    this.idleQuanta = written > 0 || this.queue.length > 0 ? 0 : this.idleQuanta + 1;
    if (written > 0) this.setPlaying(true);
    else if (this.idleQuanta >= this.hangoverQuanta) this.setPlaying(false);
    if (this.quanta >= REPORT_EVERY) this.report();
    return true;
  }
}

registerProcessor("parley-playback", PlaybackProcessor);
