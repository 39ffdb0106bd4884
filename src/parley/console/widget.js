// <parley-convai agent-id="…"> for any web page:
//   <script src="https://your-parley/widget.js" async></script>
//   <parley-convai agent-id="agent_…"></parley-convai>
// It reads the agent's public widget settings (GET /v1/convai/agents/{id}/widget) and talks
// over the same conversation socket as the console, with the console's session module.
// Attributes: agent-id, signed-url (for agents that require auth), variant, placement.
(() => {
  const script = document.currentScript;
  const base = new URL(script ? script.src : location.href).origin;
  const sessionModule = () => import(`${base}/console/js/talk/session.js`);

  const TEXTS = {
    action_text: "Need help?",
    start_call_text: "Start a call",
    end_call_text: "End call",
    listening_text: "Listening",
    speaking_text: "Talk to interrupt",
    expand_text: "Open chat",
  };

  const PLACEMENT = {
    "top-left": "top:20px;left:20px",
    top: "top:20px;left:50%;transform:translateX(-50%)",
    "top-right": "top:20px;right:20px",
    "bottom-left": "bottom:20px;left:20px",
    bottom: "bottom:20px;left:50%;transform:translateX(-50%)",
    "bottom-right": "bottom:20px;right:20px",
  };

  // Settings become CSS text: only plain colour values get in, anything else falls back.
  const COLOUR = /^(#[0-9a-f]{3,8}|[a-z]+|(rgb|rgba|hsl|hsla)\([0-9.,%\s]+\))$/i;
  const colour = (value, fallback) => (typeof value === "string" && COLOUR.test(value.trim()) ? value : fallback);
  const pixels = (value, fallback) => (Number.isFinite(value) ? Math.max(0, value) : fallback);

  function avatarBackground(avatar = {}) {
    const image = avatar.type === "url" ? avatar.custom_url : avatar.type === "image" ? avatar.url : null;
    if (image && /^https?:\/\//.test(image)) return `center / cover no-repeat url(${JSON.stringify(image)})`;
    return `radial-gradient(circle at 30% 30%, ${colour(avatar.color_2, "#9ce6e6")}, ${colour(avatar.color_1, "#2792dc")})`;
  }

  function css(raw) {
    const config = { ...raw };
    for (const [name, fallback] of [["bg_color", "#ffffff"], ["text_color", "#000000"], ["btn_color", "#000000"],
      ["btn_text_color", "#ffffff"], ["border_color", "#e1e1e1"], ["focus_color", "#000000"]]) {
      config[name] = colour(raw[name], fallback);
    }
    const radius = pixels(raw.border_radius, 24);
    const btnRadius = pixels(raw.btn_radius, 999);
    return `
      :host { all: initial; position: fixed; z-index: 2147483000; ${PLACEMENT[config.placement] ?? PLACEMENT["bottom-right"]};
        font: 15px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
      .box { background: ${config.bg_color}; color: ${config.text_color}; border: 1px solid ${config.border_color};
        border-radius: ${radius}px; box-shadow: 0 8px 28px rgba(0,0,0,.18); padding: 10px 12px; display: flex;
        flex-direction: column; gap: 8px; max-width: min(360px, calc(100vw - 40px)); }
      .bar { display: flex; align-items: center; gap: 10px; }
      .orb { width: 40px; height: 40px; border-radius: 50%; flex: none; background: ${avatarBackground(raw.avatar)}; }
      .box[data-state="speaking"] .orb { transform: scale(1.1); }
      .box[data-state="listening"] .orb { animation: pulse 2s ease-in-out infinite; }
      @keyframes pulse { 50% { transform: scale(1.07); } }
      @media (prefers-reduced-motion: reduce) { .orb { animation: none !important; } }
      .label { flex: 1; min-width: 0; }
      .status { font-size: 13px; opacity: .8; }
      button { font: inherit; font-weight: 600; cursor: pointer; border: 0; border-radius: ${btnRadius}px;
        padding: 8px 14px; background: ${config.btn_color}; color: ${config.btn_text_color}; min-height: 36px; }
      button.secondary { background: transparent; color: ${config.text_color}; border: 1px solid ${config.border_color}; }
      button:focus-visible, input:focus-visible { outline: 2px solid ${config.focus_color}; outline-offset: 2px; }
      ol { list-style: none; margin: 0; padding: 0; max-height: 240px; overflow-y: auto; display: flex; flex-direction: column; gap: 6px; }
      li { padding: 6px 10px; border-radius: 12px; background: rgba(127,127,127,.12); max-width: 90%; }
      li.user { align-self: flex-end; }
      form { display: flex; gap: 6px; }
      input { flex: 1; min-width: 0; font: inherit; padding: 8px 10px; border-radius: 10px; border: 1px solid ${config.border_color};
        background: ${config.bg_color}; color: ${config.text_color}; }
      [hidden] { display: none !important; }
      .tiny .label, .tiny .more { display: none; }
    `;
  }

  function el(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value);
    }
    node.append(...children);
    return node;
  }

  class ParleyConvai extends HTMLElement {
    async connectedCallback() {
      if (this.shadowRoot) return;
      const root = this.attachShadow({ mode: "open" });
      const agentId = this.getAttribute("agent-id");
      if (!agentId) return;
      const response = await fetch(`${base}/v1/convai/agents/${encodeURIComponent(agentId)}/widget`);
      if (!response.ok) {
        console.error(`parley-convai: agent ${agentId} is not available (${response.status})`);
        return;
      }
      const config = { ...TEXTS, ...stripNulls((await response.json()).widget_config) };
      config.variant = this.getAttribute("variant") ?? config.variant;
      config.placement = this.getAttribute("placement") ?? config.placement;
      this.config = config;
      this.agentId = agentId;
      this.render(root, config);
    }

    render(root, config) {
      const full = config.variant === "full" || config.always_expanded || config.default_expanded;
      this.status = el("div", { class: "status", "aria-live": "polite" });
      this.button = el("button", { type: "button", onclick: () => this.toggle() }, config.start_call_text);
      this.mute = el("button", { type: "button", class: "secondary", "aria-pressed": "false", hidden: "",
        onclick: () => this.toggleMute() }, "Mute");
      this.log = el("ol", { role: "log", "aria-label": "Transcript" });
      this.input = el("input", { type: "text", "aria-label": "Message", placeholder: "Type a message" });
      this.form = el("form", { onsubmit: (event) => this.type(event) }, this.input,
        el("button", { type: "submit", class: "secondary" }, "Send"));
      this.more = el("div", { class: "more" }, this.log, this.form);
      this.more.hidden = !full;
      this.log.hidden = !(config.transcript_enabled || config.text_only || full);
      this.form.hidden = !(config.text_input_enabled || config.text_only);
      this.box = el("div", { class: `box ${config.variant}`, role: "region", "aria-label": "Voice assistant", "data-state": "idle" },
        el("div", { class: "bar" }, el("div", { class: "orb", "aria-hidden": "true" }),
          el("div", { class: "label" }, el("div", {}, config.action_text), this.status),
          this.mute, this.button),
        this.more);
      root.replaceChildren(el("style", {}, css(config)), this.box);
    }

    async toggle() {
      if (this.session) return this.session.end();
      const signedUrl = this.getAttribute("signed-url");
      if (this.config.requires_auth && !signedUrl) {
        this.status.textContent = "Unavailable";
        console.error("parley-convai: this agent requires auth; give the element a signed-url");
        return;
      }
      this.button.disabled = true;
      try {
        const { ConversationSession, publicSocketUrl } = await sessionModule();
        const url = signedUrl ?? publicSocketUrl(base, this.agentId);
        this.log.replaceChildren();
        this.session = await ConversationSession.start({
          url, voice: !this.config.text_only, handlers: this.handlers(), source: "parley_widget",
        });
      } catch (error) {
        this.status.textContent = error.name === "NotAllowedError" ? "Microphone blocked" : "Could not connect";
        this.session = null;
      } finally {
        this.button.disabled = false;
      }
    }

    handlers() {
      const say = (role, text) => {
        this.log.append(el("li", { class: role }, text));
        this.log.scrollTop = this.log.scrollHeight;
      };
      return {
        onMetadata: () => {
          this.button.textContent = this.config.end_call_text;
          this.mute.hidden = !this.config.mic_muting_enabled || this.config.text_only;
          if (this.config.variant === "expandable" || this.config.transcript_enabled) this.more.hidden = false;
          if (this.config.text_only) this.more.hidden = false;
        },
        onState: (state) => {
          this.box.dataset.state = state;
          this.status.textContent = { listening: this.config.listening_text, speaking: this.config.speaking_text,
            thinking: "…", connecting: "Connecting…" }[state] ?? "";
        },
        onUserFinal: (text) => say("user", text),
        onAgent: (text) => say("agent", text),
        onEnd: ({ code, byUser }) => {
          this.session = null;
          this.button.textContent = this.config.start_call_text;
          this.mute.hidden = true;
          this.showMuted(false); // the next call starts with the microphone on
          this.box.dataset.state = "idle";
          // 1008: refused (e.g. the agent requires a signed-url attribute)
          this.status.textContent = byUser || code === 1000 ? "" : "The call could not continue.";
        },
      };
    }

    toggleMute() {
      const muted = this.mute.getAttribute("aria-pressed") !== "true";
      this.session?.setMuted(muted);
      this.showMuted(muted);
    }

    showMuted(muted) {
      this.mute.setAttribute("aria-pressed", String(muted));
      this.mute.textContent = muted ? "Unmute" : "Mute";
    }

    type(event) {
      event.preventDefault();
      const text = this.input.value.trim();
      if (!text || !this.session) return;
      this.session.sendText(text); // the server echoes it as the user's transcript
      this.input.value = "";
    }

    disconnectedCallback() {
      this.session?.end();
    }
  }

  function stripNulls(object) {
    return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== null));
  }

  if (!customElements.get("parley-convai")) customElements.define("parley-convai", ParleyConvai);
})();
