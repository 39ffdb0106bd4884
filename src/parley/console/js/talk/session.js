// One conversation over the conversation WebSocket, as the platform's protocol defines it:
// initiation, pings, transcripts, agent audio with interruptions, tools, and the end.
// The page (or the widget) passes `handlers`; this module owns no DOM.
import { Microphone, Speaker, decodeAudio, encodeAudio, parseFormat, requestMicrophone } from "./audio.js";

/** The socket URL: a signed URL for agents that require one, else the public form. */
export function publicSocketUrl(httpBase, agentId) {
  const base = httpBase.replace(/^http/, "ws").replace(/\/$/, "");
  return `${base}/v1/convai/conversation?agent_id=${encodeURIComponent(agentId)}`;
}

/**
 * handlers: onState(state), onUserTentative(text), onUserFinal(text), onAgent(text),
 * onCorrection(original, corrected), onTool(name, detail), onLevel(input, output),
 * onError(message), onEnd({ code, reason, byUser }), onMetadata(meta)
 * states: connecting → listening ⇄ thinking ⇄ speaking → ended
 */
export class ConversationSession {
  /** `source` names the client in source_info ("parley_console", "parley_widget"). */
  static async start({ url, voice, handlers, source = "parley_console" }) {
    const session = new ConversationSession(handlers, voice);
    session.source = source;
    await session.open(url);
    return session;
  }

  constructor(handlers, voice) {
    this.handlers = handlers;
    this.voice = voice;
    this.state = "connecting";
    this.statesSeen = ["connecting"]; // every state shown, in order (some last only ~100 ms)
    this.lastInterruption = -1;
    this.microphone = null;
    this.speaker = null;
    this.stream = null;
    this.endedByUser = false;
    // what the browser tests read: audio that really reached the playback worklet
    // (replyAudible: audible samples since the user's last words were final)
    this.stats = { played: 0, audible: 0, replyAudible: 0, interruptions: 0, audioEvents: 0 };
    this.audibleBeforeReply = 0;
  }

  async open(url) {
    this.setState("connecting");
    if (this.voice) this.stream = await requestMicrophone();
    this.socket = new WebSocket(url);
    this.socket.onopen = () => this.send({
      type: "conversation_initiation_client_data",
      conversation_config_override: {},
      source_info: { source: this.source },
    });
    // one event at a time, in order: audio that follows the metadata waits for the speaker
    let queue = Promise.resolve();
    this.socket.onmessage = ({ data }) => {
      queue = queue.then(() => this.receive(JSON.parse(data))).catch((error) => {
        this.handlers.onError?.(`Could not handle an event: ${error.message}`);
      });
    };
    this.socket.onclose = ({ code, reason }) => this.finish(code, reason);
    this.socket.onerror = () => this.handlers.onError?.("The connection to Parley failed.");
  }

  send(message) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  setState(state) {
    if (state === this.state && state !== "connecting") return;
    this.state = state;
    this.statesSeen.push(state);
    this.handlers.onState?.(state);
  }

  async receive(event) {
    switch (event.type) {
      case "conversation_initiation_metadata":
        return this.begin(event.conversation_initiation_metadata_event);
      case "ping":
        return this.send({ type: "pong", event_id: event.ping_event.event_id });
      case "audio":
        return this.play(event.audio_event);
      case "interruption":
        return this.interrupted(event.interruption_event.event_id);
      case "tentative_user_transcript":
        if (this.state !== "speaking") this.setState("listening");
        return this.handlers.onUserTentative?.(event.tentative_user_transcription_event.user_transcript);
      case "user_transcript":
        this.setState("thinking");
        this.audibleBeforeReply = this.stats.audible;
        return this.handlers.onUserFinal?.(event.user_transcription_event.user_transcript);
      case "agent_response":
        if (!this.voice) this.setState("listening");
        return this.handlers.onAgent?.(event.agent_response_event.agent_response);
      case "agent_response_correction": {
        const body = event.agent_response_correction_event;
        return this.handlers.onCorrection?.(body.original_agent_response, body.corrected_agent_response);
      }
      case "client_tool_call":
        return this.clientTool(event.client_tool_call);
      case "agent_tool_response": {
        const body = event.agent_tool_response;
        return this.handlers.onTool?.(body.tool_name, body.is_error ? "failed" : "called");
      }
      case "error":
        return this.handlers.onError?.(event.error_event.message);
      default:
        return undefined; // vad_score, internal events: nothing to show
    }
  }

  async begin(meta) {
    this.conversationId = meta.conversation_id;
    this.handlers.onMetadata?.(meta);
    if (this.voice) {
      const output = parseFormat(meta.agent_output_audio_format);
      const input = parseFormat(meta.user_input_audio_format);
      this.speaker = await Speaker.open(output, (stats) => this.speakerStats(stats));
      this.inputLevel = 0;
      this.microphone = await Microphone.open(this.stream, input,
        (pcm) => this.send({ user_audio_chunk: encodeAudio(pcm, input) }),
        (level) => {
          this.inputLevel = level;
          this.handlers.onLevel?.(level, this.outputLevel ?? 0);
        });
      this.outputFormat = output;
    }
    this.setState("listening");
  }

  play(audio) {
    if (!this.speaker || audio.event_id <= this.lastInterruption) return;
    this.stats.audioEvents += 1;
    this.speaker.play(decodeAudio(audio.audio_base_64, this.outputFormat));
    this.setState("speaking");
  }

  speakerStats({ playing, played, audible, level }) {
    Object.assign(this.stats, { played, audible, replyAudible: audible - this.audibleBeforeReply });
    this.outputLevel = level;
    if (!playing && this.state === "speaking") this.setState("listening");
  }

  interrupted(eventId) {
    this.lastInterruption = eventId;
    this.stats.interruptions += 1;
    this.speaker?.flush();
    if (this.state === "speaking") this.setState("listening");
  }

  clientTool(call) {
    // The console registers no client tools; say so, as the official SDK does, so the agent
    // does not wait for an answer that will never come.
    this.handlers.onTool?.(call.tool_name, "not available in the console");
    this.send({
      type: "client_tool_result",
      tool_call_id: call.tool_call_id,
      result: `Client tool ${call.tool_name} is not available in this client.`,
      is_error: true,
    });
  }

  sendText(text) {
    this.send({ type: "user_message", text });
    this.setState("thinking");
  }

  setMuted(muted) {
    this.microphone?.setMuted(muted);
  }

  end() {
    this.endedByUser = true;
    this.socket?.close(1000, "User ended conversation");
    this.release();
  }

  release() {
    this.microphone?.close();
    this.speaker?.close();
    if (!this.microphone) for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.microphone = null;
    this.speaker = null;
  }

  finish(code, reason) {
    this.release();
    this.setState("ended");
    this.handlers.onEnd?.({ code, reason, byUser: this.endedByUser });
  }
}
