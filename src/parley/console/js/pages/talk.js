// The talk page: one button starts a call (voice, or chat for text-only agents) with a live
// transcript, the listening / thinking / speaking state, a level meter, mute and end.
import { api } from "../api.js";
import { announce, h, mount } from "../dom.js";
import { ConversationSession, publicSocketUrl } from "../talk/session.js";

const STATE_TEXT = {
  idle: "Ready",
  connecting: "Connecting…",
  listening: "Listening",
  thinking: "Thinking…",
  speaking: "Speaking",
  ended: "Call ended",
};

export async function render(agentId) {
  const agent = await api.getAgent(agentId);
  const page = new TalkPage(agent);
  return { element: page.element, leave: () => page.session?.end() };
}

class TalkPage {
  constructor(agent) {
    this.agent = agent;
    this.textOnly = Boolean(agent.conversation_config?.conversation?.text_only);
    this.session = null;
    const id = encodeURIComponent(agent.agent_id);
    this.state = h("p", { class: "state", dataset: { state: "idle" }, "aria-live": "polite" }, STATE_TEXT.idle);
    this.meter = h("div", { class: "meter", role: "meter", "aria-label": "Microphone level",
      "aria-valuemin": 0, "aria-valuemax": 100, "aria-valuenow": 0 }, h("span", {}));
    this.start = h("button", { type: "button", class: "primary big", onclick: () => this.begin() },
      this.textOnly ? "Start chat" : "Start conversation");
    this.mute = h("button", { type: "button", "aria-pressed": "false", disabled: true,
      onclick: () => this.toggleMute() }, "Mute");
    this.stop = h("button", { type: "button", class: "danger", disabled: true,
      onclick: () => this.session?.end() }, "End call");
    this.log = h("ol", { class: "transcript", role: "log", "aria-label": "Transcript" });
    this.tentative = h("p", { class: "tentative", "aria-hidden": "true" });
    this.message = h("input", { id: "talk-message", type: "text", autocomplete: "off", disabled: true,
      placeholder: this.textOnly ? "Type a message" : "Or type a message" });
    this.after = h("p", { class: "after" });
    this.element = h("section", { class: "talk" },
      h("div", { class: "page-head" },
        h("h1", { tabindex: "-1" }, `Talk to ${agent.name || "agent"}`),
        h("div", { class: "actions" },
          h("a", { class: "button", href: `#/agents/${id}` }, "Edit"),
          h("a", { class: "button", href: `#/history/${id}` }, "History")),
      ),
      h("div", { class: "card call" },
        h("div", { class: "orb", "aria-hidden": "true" }),
        this.state,
        !this.textOnly && this.meter,
        h("div", { class: "controls" }, this.start, !this.textOnly && this.mute, this.stop),
        this.after,
      ),
      h("div", { class: "card" },
        h("h2", {}, "Transcript"),
        this.log,
        this.tentative,
        h("form", { class: "row", onsubmit: (event) => this.type(event) },
          h("label", { for: "talk-message", class: "visually-hidden" }, "Message"),
          this.message,
          h("button", { type: "submit", disabled: true, class: "send" }, "Send")),
      ),
    );
  }

  async begin() {
    this.start.disabled = true;
    this.showMuted(false); // every call starts with the microphone on
    mount(this.log);
    mount(this.after);
    try {
      const url = this.agent.platform_settings?.auth?.enable_auth
        ? (await api.signedUrl(this.agent.agent_id)).signed_url
        : publicSocketUrl(location.origin, this.agent.agent_id);
      this.session = await ConversationSession.start({ url, voice: !this.textOnly, handlers: this.handlers() });
      window.parleyConsole = { session: this.session }; // read by the browser tests
    } catch (error) {
      this.start.disabled = false;
      this.showState("idle");
      this.line("error", error.name === "NotAllowedError"
        ? "The microphone is blocked: allow it for this page and try again."
        : `Could not start: ${error.message}`);
    }
  }

  handlers() {
    return {
      onState: (state) => this.showState(state),
      onMetadata: (meta) => {
        this.conversationId = meta.conversation_id;
        this.setLive(true);
      },
      onUserTentative: (text) => { this.tentative.textContent = text; },
      onUserFinal: (text) => {
        this.tentative.textContent = "";
        this.line("user", text);
      },
      onAgent: (text) => this.line("agent", text),
      onCorrection: (original, corrected) => this.correct(original, corrected),
      onTool: (name, detail) => this.line("tool", `${name}: ${detail}`),
      onLevel: (level) => this.showLevel(level),
      onError: (message) => this.line("error", message),
      onEnd: ({ code, reason, byUser }) => this.ended(code, reason, byUser),
    };
  }

  showState(state) {
    this.state.dataset.state = state;
    this.element.querySelector(".call").dataset.state = state;
    this.state.textContent = STATE_TEXT[state] ?? state;
  }

  showLevel(level) {
    const percent = Math.min(100, Math.round(Math.sqrt(level) * 160));
    this.meter.firstChild.style.width = `${percent}%`;
    this.meter.setAttribute("aria-valuenow", String(percent));
  }

  setLive(live) {
    this.start.hidden = live;
    this.mute.disabled = !live;
    this.stop.disabled = !live;
    this.message.disabled = !live;
    this.element.querySelector("button.send").disabled = !live;
    if (live && this.textOnly) this.message.focus();
  }

  line(role, text) {
    const who = { user: "You", agent: this.agent.name || "Agent", tool: "Tool", error: "Error" }[role];
    this.log.append(h("li", { class: role }, h("span", { class: "who" }, who), h("span", { class: "text" }, text)));
    this.log.lastChild.scrollIntoView({ block: "nearest" });
  }

  correct(original, corrected) {
    const lines = [...this.log.querySelectorAll("li.agent .text")];
    const target = lines.reverse().find((node) => node.textContent === original) ?? lines[0];
    if (!target) return;
    target.textContent = corrected || "(interrupted before any of it was heard)";
    target.parentElement.classList.add("interrupted");
    target.parentElement.title = "Interrupted: the rest was not heard";
  }

  toggleMute() {
    const muted = this.mute.getAttribute("aria-pressed") !== "true";
    this.session?.setMuted(muted);
    this.showMuted(muted);
    announce(muted ? "Microphone muted" : "Microphone on");
  }

  showMuted(muted) {
    this.mute.setAttribute("aria-pressed", String(muted));
    this.mute.textContent = muted ? "Unmute" : "Mute";
  }

  type(event) {
    event.preventDefault();
    const text = this.message.value.trim();
    if (!text || !this.session) return;
    this.session.sendText(text); // the server echoes it as the user's transcript
    this.message.value = "";
  }

  ended(code, reason, byUser) {
    this.setLive(false);
    this.showMuted(false); // the microphone is released; the next call starts unmuted
    this.start.disabled = false;
    this.start.textContent = this.textOnly ? "Start a new chat" : "Start again";
    this.tentative.textContent = "";
    this.showLevel(0);
    const why = byUser ? "You ended the call." : code === 1000 ? "The agent ended the call." : `The call ended: ${reason || `code ${code}`}.`;
    mount(this.after, why, " ", this.conversationId && h("a",
      { href: `#/conversations/${encodeURIComponent(this.conversationId)}` }, "See this conversation"));
    announce(why);
  }
}
