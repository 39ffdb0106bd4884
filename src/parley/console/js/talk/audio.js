// The browser's audio for a call: the microphone (getUserMedia → capture worklet → PCM16
// chunks) and the speaker (decoded agent audio → playback worklet queue).

const here = new URL(".", import.meta.url);
const CHUNK_SECONDS = 0.05; // 50 ms per user_audio_chunk: low latency, few frames

/** "pcm_16000" / "ulaw_8000" → { encoding, sampleRate } */
export function parseFormat(name = "pcm_16000") {
  const match = /^(pcm|ulaw)_(\d+)$/.exec(name);
  if (!match) throw new Error(`Unsupported audio format ${name}`);
  return { encoding: match[1], sampleRate: Number(match[2]) };
}

export function toBase64(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function fromBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function ulawToLinear(byte) {
  const u = ~byte & 0xff;
  const magnitude = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
  return (u & 0x80 ? 0x84 - magnitude : magnitude - 0x84) / 32768;
}

function linearToUlaw(sample) {
  const sign = sample < 0 ? 0x80 : 0;
  let magnitude = Math.min(Math.abs(sample), 32635) + 0x84;
  let exponent = 7;
  for (let mask = 0x4000; (magnitude & mask) === 0 && exponent > 0; mask >>= 1) exponent -= 1;
  const mantissa = (magnitude >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** One audio event's base64 payload as float samples. */
export function decodeAudio(base64, format) {
  const bytes = fromBase64(base64);
  if (format.encoding === "ulaw") return Float32Array.from(bytes, ulawToLinear);
  const view = new DataView(bytes.buffer, 0, bytes.length - (bytes.length % 2));
  const samples = new Float32Array(view.byteLength / 2);
  for (let i = 0; i < samples.length; i += 1) samples[i] = view.getInt16(i * 2, true) / 32768;
  return samples;
}

/** PCM16 from the capture worklet as the base64 payload of a user_audio_chunk. */
export function encodeAudio(pcm16, format) {
  if (format.encoding === "ulaw") return toBase64(Uint8Array.from(pcm16, linearToUlaw));
  return toBase64(new Uint8Array(pcm16.buffer, pcm16.byteOffset, pcm16.byteLength));
}

/** Ask for the microphone early (before the socket opens), so a refusal is seen at once. */
export function requestMicrophone() {
  return navigator.mediaDevices.getUserMedia({
    audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
  });
}

export class Microphone {
  /** `onChunk(pcm16)` every 50 ms and `onLevel(rms)` from the audio thread. */
  static async open(stream, format, onChunk, onLevel) {
    const context = new AudioContext({ sampleRate: format.sampleRate, latencyHint: "interactive" });
    await context.audioWorklet.addModule(new URL("capture-worklet.js", here));
    const node = new AudioWorkletNode(context, "parley-capture", {
      processorOptions: { chunkSamples: Math.round(format.sampleRate * CHUNK_SECONDS) },
    });
    node.port.onmessage = ({ data }) => {
      onChunk(new Int16Array(data.pcm));
      onLevel(data.level);
    };
    context.createMediaStreamSource(stream).connect(node);
    await context.resume();
    return new Microphone(stream, context, node);
  }

  constructor(stream, context, node) {
    this.stream = stream;
    this.context = context;
    this.node = node;
  }

  setMuted(muted) {
    this.node.port.postMessage({ type: "mute", muted });
    for (const track of this.stream.getAudioTracks()) track.enabled = !muted;
  }

  close() {
    for (const track of this.stream.getTracks()) track.stop();
    this.context.close();
  }
}

export class Speaker {
  /** `onStats({playing, played, audible, level})` several times a second. */
  static async open(format, onStats) {
    const context = new AudioContext({ sampleRate: format.sampleRate, latencyHint: "interactive" });
    await context.audioWorklet.addModule(new URL("playback-worklet.js", here));
    const node = new AudioWorkletNode(context, "parley-playback", { outputChannelCount: [1] });
    node.port.onmessage = ({ data }) => onStats(data);
    node.connect(context.destination);
    await context.resume();
    return new Speaker(context, node);
  }

  constructor(context, node) {
    this.context = context;
    this.node = node;
  }

  play(samples) {
    this.node.port.postMessage({ type: "push", samples }, [samples.buffer]);
  }

  /** Stop at once: drop everything queued (barge-in). */
  flush() {
    this.node.port.postMessage({ type: "flush" });
  }

  close() {
    this.context.close();
  }
}
