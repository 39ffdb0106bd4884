// Create or edit an agent: a form for the common fields and the full JSON config, kept in
// step with each other (see ../form.js). A 422 from the server is shown at the field it names.
import { api, ApiError } from "../api.js";
import { announce, h, mount } from "../dom.js";
import { BoundForm, getPath } from "../form.js";
import { embedCard } from "./embed.js";

const LLMS = ["gemini-2.5-flash", "gpt-4o-mini", "gpt-4.1-mini", "claude-haiku-4-5", "qwen3-4b", "custom-llm"];
const EDITABLE = ["name", "tags", "conversation_config", "platform_settings"];
const VOICE = "conversation_config.tts.voice_id";
const justCreated = new Set(); // agents whose page opens right after "Create agent"
const droppedOnCreate = new Map(); // agent id -> the fields its create dropped, shown on its page

const NEW_AGENT = {
  name: "My assistant",
  conversation_config: {
    agent: {
      first_message: "Hello! How can I help you today?",
      language: "en",
      prompt: { prompt: "You are a friendly assistant. Answer in one or two short sentences.", tools: [] },
    },
    turn: { turn_eagerness: "normal" },
    conversation: {
      text_only: false,
      // the platform's default events, plus the words as they are heard (the talk page shows them)
      client_events: ["audio", "interruption", "user_transcript", "tentative_user_transcript", "agent_response",
        "agent_response_correction", "client_tool_call", "agent_tool_response"],
    },
  },
  platform_settings: { auth: { enable_auth: false } },
};

export async function render(agentId) {
  const stored = agentId ? await api.getAgent(agentId) : structuredClone(NEW_AGENT);
  const document = Object.fromEntries(EDITABLE.filter((key) => key in stored).map((key) => [key, stored[key]]));
  const created = justCreated.delete(agentId);
  return { element: new AgentForm(agentId, document, created).element };
}

class AgentForm {
  constructor(agentId, document, created = false) {
    this.agentId = agentId;
    const form = (this.form = new BoundForm(document));
    this.element = h("form", { class: "agent-form", novalidate: true, onsubmit: (event) => this.save(event) },
      h("div", { class: "page-head" },
        h("h1", { tabindex: "-1" }, agentId ? `Edit ${document.name || "agent"}` : "New agent"),
        agentId && h("a", { class: "button", href: `#/talk/${encodeURIComponent(agentId)}` }, "Talk"),
      ),
      created && createdNotice(agentId, document.name),
      form.summary,
      (this.notices = h("div", { class: "config-notices" })),
      h("div", { class: "grid" },
        h("div", { class: "card" },
          h("h2", {}, "Agent"),
          form.input("name", "Name"),
          form.textarea("conversation_config.agent.prompt.prompt", "System prompt", 6),
          form.input("conversation_config.agent.first_message", "First message",
            "What the agent says when a call starts; leave empty to let the user speak first."),
          form.input("conversation_config.agent.language", "Language", "An ISO 639-1 code, e.g. en."),
          form.input("conversation_config.agent.prompt.llm", "LLM",
            "Names not routed by PARLEY_LLM_ENDPOINTS run on the embedded model.",
            { list: "llm-names", placeholder: "gemini-2.5-flash (default)" }),
          h("datalist", { id: "llm-names" }, LLMS.map((name) => h("option", { value: name }))),
        ),
        h("div", { class: "card" },
          h("h2", {}, "Voice and turns"),
          this.voicePicker(),
          form.select("conversation_config.turn.turn_eagerness", "Turn eagerness",
            [["normal", "Normal"], ["patient", "Patient: waits longer before answering"],
              ["eager", "Eager: answers as soon as you pause"]]),
          form.checkbox("conversation_config.conversation.text_only", "Text only (chat, no audio)"),
          form.listMember("conversation_config.conversation.client_events", "tentative_user_transcript",
            "Send the user's words while they speak (tentative transcripts)"),
          form.checkbox("platform_settings.auth.enable_auth", "Require a signed URL to talk"),
          form.jsonList("conversation_config.agent.prompt.tools", "Tools (JSON list)",
            'Client, webhook or system tools, e.g. [{"type": "client", "name": "get_weather", "description": "…", "parameters": {…}}].'),
        ),
      ),
      agentId && embedCard(agentId, Boolean(document.platform_settings?.auth?.enable_auth)),
      h("div", { class: "card" }, form.jsonEditor("Full configuration (JSON)",
        "Every setting of the agent, as the API takes it. Edits here update the form above.")),
      h("div", { class: "actions form-actions" },
        h("button", { type: "submit", class: "primary" }, agentId ? "Save changes" : "Create agent"),
        agentId && h("button", { type: "button", class: "danger", onclick: () => this.remove() }, "Delete agent"),
      ),
    );
    form.fill();
    if (agentId) this.showNotices(droppedOnCreate.get(agentId));
    droppedOnCreate.delete(agentId);
  }

  voicePicker() {
    const wrapper = this.form.select(VOICE, "Voice", [["", "Server default"]], "The installed voices of this server.");
    const field = this.form.owner(VOICE);
    const player = h("audio", { class: "preview", controls: true, hidden: true });
    const button = h("button", { type: "button", onclick: () => this.preview(player, button) }, "Preview voice");
    wrapper.append(h("div", { class: "row" }, button, player));
    api.voices().then(({ voices }) => {
      mount(field.control, h("option", { value: "" }, "Server default"), voices.map((voice) => {
        const { gender = "", language = "", engine = "" } = voice.labels;
        return h("option", { value: voice.voice_id }, `${voice.name} (${gender} ${language}, ${engine})`);
      }));
      field.write(getPath(this.form.document, VOICE));
    }).catch(() => this.form.showError(field, "Could not list the voices."));
    return wrapper;
  }

  async preview(player, button) {
    const select = this.form.owner(VOICE).control;
    const id = select.value || [...select.options].find((option) => option.value)?.value;
    if (!id) return;
    button.disabled = true;
    button.textContent = "Synthesising…";
    try {
      if (player.src) URL.revokeObjectURL(player.src);
      player.src = URL.createObjectURL(await api.voicePreview(id));
      player.hidden = false;
      await player.play().catch(() => {}); // a blocked autoplay still leaves the controls
    } catch (error) {
      this.form.showError(this.form.owner(VOICE), `Preview failed: ${error.message}`);
    } finally {
      button.disabled = false;
      button.textContent = "Preview voice";
    }
  }

  async save(event) {
    event.preventDefault();
    const unparsed = this.form.firstUnparsed();
    if (unparsed) return unparsed.control.focus();
    try {
      if (this.agentId) {
        const { dropped } = await api.updateAgent(this.agentId, this.form.document);
        this.form.showProblems([]);
        this.showNotices(dropped);
        const lost = dropped.length === 0 ? ""
          : ` ${dropped.length} unknown field${dropped.length === 1 ? " was" : "s were"} dropped: see the top of the page.`;
        announce(`Agent saved.${lost}`);
        this.flash(`Saved.${lost}`);
      } else {
        const { agent: { agent_id: created }, dropped } = await api.createAgent(this.form.document);
        justCreated.add(created);
        droppedOnCreate.set(created, dropped);
        location.hash = `#/agents/${encodeURIComponent(created)}`;
        announce("Agent created.");
      }
    } catch (error) {
      const problems = error instanceof ApiError && error.fields.length
        ? error.fields : [{ path: "", message: error.message }];
      this.form.showProblems(problems,
        `The server refused the agent: ${problems.length} field${problems.length === 1 ? "" : "s"} to fix.`);
    }
  }

  /** Above the form: the fields the last save dropped (unknown or misspelt; the platform drops
   * them without a word), and the settings Parley stores but does not act on. */
  async showNotices(dropped = []) {
    const plural = dropped.length === 1 ? "" : "s";
    const droppedNote = dropped.length > 0 && h("div", { class: "card config-notice dropped", role: "status" },
      h("h2", {}, `Not saved: ${dropped.length} unknown field${plural}`),
      h("p", { class: "hint" }, "The server does not know these fields (misspelt?) and dropped them."),
      h("ul", {}, dropped.map((path) => h("li", {}, h("code", {}, path)))));
    mount(this.notices, droppedNote);
    const { ignored } = await api.configReport(this.agentId).catch(() => ({ ignored: [] }));
    mount(this.notices, droppedNote, ignored.length > 0 && h("div", { class: "card config-notice ignored" },
      h("h2", {}, "Settings Parley does not act on"),
      h("p", { class: "hint" }, "They are stored and returned as the platform does, but nothing happens ",
        "(docs/config-liveness.md lists every setting)."),
      h("ul", {}, ignored.map(({ path, note }) => h("li", {}, h("code", {}, path), `: ${note}`)))));
  }

  flash(text) {
    const note = h("span", { class: "saved" }, text); // announced by the live region
    this.element.querySelector(".form-actions").append(note);
    setTimeout(() => note.remove(), 2500);
  }

  async remove() {
    if (!confirm(`Delete ${this.form.document.name || "this agent"}? Its conversations stay.`)) return;
    await api.deleteAgent(this.agentId);
    location.hash = "#/agents";
  }
}

/** Shown once, on the page a new agent opens on: what was made and what to do next. */
function createdNotice(agentId, name) {
  const id = encodeURIComponent(agentId);
  return h("div", { class: "notice ok", role: "status" },
    h("p", {}, h("strong", {}, `${name || "The agent"} was created.`), " Its id is ", h("code", {}, agentId), "."),
    h("p", {}, h("a", { href: `#/talk/${id}` }, "Talk to it now"),
      ", copy the widget snippet below to put it on a website, or keep editing."));
}
