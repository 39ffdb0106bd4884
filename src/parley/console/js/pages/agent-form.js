// Create or edit an agent: a form for the common fields and the full JSON config, kept in
// step with each other. A 422 from the server is shown at the field it names.
import { api, ApiError } from "../api.js";
import { announce, h, mount, uid } from "../dom.js";

const LLMS = ["gemini-2.5-flash", "gpt-4o-mini", "gpt-4.1-mini", "claude-haiku-4-5", "qwen3-4b", "custom-llm"];
const EDITABLE = ["name", "tags", "conversation_config", "platform_settings"];

const NEW_AGENT = {
  name: "My assistant",
  conversation_config: {
    agent: {
      first_message: "Hello! How can I help you today?",
      language: "en",
      prompt: { prompt: "You are a friendly assistant. Answer in one or two short sentences.", tools: [] },
    },
    turn: { turn_eagerness: "normal" },
    conversation: { text_only: false },
  },
  platform_settings: { auth: { enable_auth: false } },
};

export function getPath(object, path) {
  return path.split(".").reduce((node, key) => (node == null ? undefined : node[key]), object);
}

export function setPath(object, path, value) {
  const keys = path.split(".");
  let node = object;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== "object" || node[key] === null) node[key] = {};
    node = node[key];
  }
  node[keys.at(-1)] = value;
}

export async function render(agentId) {
  const stored = agentId ? await api.getAgent(agentId) : structuredClone(NEW_AGENT);
  const form = new AgentForm(agentId, Object.fromEntries(EDITABLE.filter((k) => k in stored).map((k) => [k, stored[k]])));
  return { element: form.element };
}

class AgentForm {
  constructor(agentId, document) {
    this.agentId = agentId;
    this.document = document;
    this.fields = [];
    this.unparsed = new Set(); // fields whose text is not valid yet (JSON being typed)
    this.summary = h("div", { class: "error-summary", role: "alert", hidden: true, tabindex: "-1" });
    this.json = this.field("json", "Full configuration (JSON)", this.jsonEditor(),
      "Every setting of the agent, as the API takes it. Edits here update the form above.");
    Object.assign(this.jsonEntry, { wrapper: this.json, error: this.json.querySelector(".field-error") });
    const voice = this.voicePicker();
    this.element = h("form", { class: "agent-form", novalidate: true, onsubmit: (event) => this.save(event) },
      h("div", { class: "page-head" },
        h("h1", { tabindex: "-1" }, agentId ? `Edit ${document.name || "agent"}` : "New agent"),
        agentId && h("a", { class: "button", href: `#/talk/${encodeURIComponent(agentId)}` }, "Talk"),
      ),
      this.summary,
      h("div", { class: "grid" },
        h("div", { class: "card" },
          h("h2", {}, "Agent"),
          this.input("name", "Name"),
          this.textarea("conversation_config.agent.prompt.prompt", "System prompt", 6),
          this.input("conversation_config.agent.first_message", "First message",
            "What the agent says when a call starts; leave empty to let the user speak first."),
          this.input("conversation_config.agent.language", "Language", "An ISO 639-1 code, e.g. en."),
          this.input("conversation_config.agent.prompt.llm", "LLM",
            "Names not routed by PARLEY_LLM_ENDPOINTS run on the embedded model.", "llm-names"),
          h("datalist", { id: "llm-names" }, LLMS.map((name) => h("option", { value: name }))),
        ),
        h("div", { class: "card" },
          h("h2", {}, "Voice and turns"),
          voice,
          this.select("conversation_config.turn.turn_eagerness", "Turn eagerness",
            [["patient", "Patient: waits longer before answering"], ["normal", "Normal"],
              ["eager", "Eager: answers as soon as you pause"]]),
          this.checkbox("conversation_config.conversation.text_only", "Text only (chat, no audio)"),
          this.checkbox("platform_settings.auth.enable_auth", "Require a signed URL to talk"),
          this.toolsEditor(),
        ),
      ),
      h("div", { class: "card" }, this.json),
      h("div", { class: "actions sticky" },
        h("button", { type: "submit", class: "primary" }, agentId ? "Save changes" : "Create agent"),
        agentId && h("button", { type: "button", class: "danger", onclick: () => this.remove() }, "Delete agent"),
      ),
    );
    this.fill();
  }

  /** A labelled wrapper with a hint and an error slot; `path` finds it for 422 errors. */
  field(path, label, control, hint) {
    const id = control.id || uid("field");
    control.id = id;
    const hintId = `${id}-hint`;
    const errorId = `${id}-error`;
    control.setAttribute("aria-describedby", `${hint ? hintId : ""} ${errorId}`.trim());
    const error = h("p", { class: "field-error", id: errorId });
    const wrapper = h("div", { class: "field", dataset: { path } },
      control.type === "checkbox"
        ? h("label", { class: "check", for: id }, control, ` ${label}`)
        : [h("label", { for: id }, label), control],
      hint && h("p", { class: "hint", id: hintId }, hint),
      error,
    );
    const entry = { path, control, error, wrapper };
    if (path !== "json") this.fields.push(entry);
    return wrapper;
  }

  bind(path, control, read, write) {
    control.addEventListener("input", () => {
      try {
        setPath(this.document, path, read(control));
        this.unparsed.delete(this.entry(path));
        this.showError(this.entry(path), "");
      } catch (problem) {
        this.unparsed.add(this.entry(path));
        this.showError(this.entry(path), problem.message);
        return;
      }
      this.refreshJson();
    });
    this.entry(path).write = (value) => write(control, value);
  }

  entry(path) {
    return this.fields.find((field) => field.path === path) ?? this.jsonEntry;
  }

  input(path, label, hint, list) {
    const control = h("input", { type: "text", list, placeholder: list ? "gemini-2.5-flash (default)" : undefined });
    const wrapper = this.field(path, label, control, hint);
    this.bind(path, control, (c) => c.value, (c, v) => { c.value = v ?? ""; });
    return wrapper;
  }

  textarea(path, label, rows) {
    const control = h("textarea", { rows });
    const wrapper = this.field(path, label, control);
    this.bind(path, control, (c) => c.value, (c, v) => { c.value = v ?? ""; });
    return wrapper;
  }

  select(path, label, options) {
    const control = h("select", {}, options.map(([value, text]) => h("option", { value }, text)));
    const wrapper = this.field(path, label, control);
    this.bind(path, control, (c) => c.value, (c, v) => { c.value = v ?? options[0][0]; });
    control.addEventListener("change", () => control.dispatchEvent(new Event("input")));
    return wrapper;
  }

  checkbox(path, label) {
    const control = h("input", { type: "checkbox" });
    const wrapper = this.field(path, label, control);
    this.bind(path, control, (c) => c.checked, (c, v) => { c.checked = Boolean(v); });
    control.addEventListener("change", () => control.dispatchEvent(new Event("input")));
    return wrapper;
  }

  toolsEditor() {
    const path = "conversation_config.agent.prompt.tools";
    const control = h("textarea", { rows: 5, class: "code", spellcheck: "false" });
    const wrapper = this.field(path, "Tools (JSON list)", control,
      'Client, webhook or system tools, e.g. [{"type": "client", "name": "get_weather", "description": "…", "parameters": {…}}].');
    this.bind(path, control, (c) => {
      const value = JSON.parse(c.value || "[]");
      if (!Array.isArray(value)) throw new Error("Tools must be a JSON list.");
      return value;
    }, (c, v) => { c.value = JSON.stringify(v ?? [], null, 2); });
    return wrapper;
  }

  voicePicker() {
    const path = "conversation_config.tts.voice_id";
    const control = h("select", {}, h("option", { value: "" }, "Server default"));
    const player = h("audio", { class: "preview", controls: true, hidden: true });
    const preview = h("button", { type: "button", onclick: () => this.preview(control.value, player, preview) },
      "Preview voice");
    const wrapper = this.field(path, "Voice", control, "The installed voices of this server.");
    wrapper.append(h("div", { class: "row" }, preview, player));
    this.bind(path, control, (c) => c.value || undefined, (c, v) => {
      if (v && ![...c.options].some((o) => o.value === v)) c.append(h("option", { value: v }, v));
      c.value = v ?? "";
    });
    control.addEventListener("change", () => control.dispatchEvent(new Event("input")));
    api.voices().then(({ voices }) => {
      const current = getPath(this.document, path);
      mount(control, h("option", { value: "" }, "Server default"), voices.map((voice) =>
        h("option", { value: voice.voice_id },
          `${voice.name} (${voice.labels.gender ?? ""} ${voice.labels.language ?? ""}, ${voice.labels.engine ?? ""})`)));
      this.entry(path).write(current);
    }).catch(() => this.showError(this.entry(path), "Could not list the voices."));
    return wrapper;
  }

  async preview(voiceId, player, button) {
    const voices = [...button.closest(".field").querySelectorAll("option")].filter((o) => o.value);
    const id = voiceId || voices[0]?.value;
    if (!id) return;
    button.disabled = true;
    button.textContent = "Synthesising…";
    try {
      const audio = await api.voicePreview(id);
      if (player.src) URL.revokeObjectURL(player.src);
      player.src = URL.createObjectURL(audio);
      player.hidden = false;
      await player.play().catch(() => {});
    } catch (error) {
      this.showError(this.entry("conversation_config.tts.voice_id"), `Preview failed: ${error.message}`);
    } finally {
      button.disabled = false;
      button.textContent = "Preview voice";
    }
  }

  jsonEditor() {
    const control = h("textarea", { class: "code", rows: 18, spellcheck: "false" });
    control.addEventListener("input", () => {
      try {
        const parsed = JSON.parse(control.value);
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
          throw new Error("The configuration must be a JSON object.");
        }
        this.document = parsed;
        this.unparsed.delete(this.jsonEntry);
        this.showError(this.jsonEntry, "");
        this.fill({ skipJson: true });
      } catch (problem) {
        this.unparsed.add(this.jsonEntry);
        this.showError(this.jsonEntry, `Not valid JSON yet: ${problem.message}`);
      }
    });
    this.jsonEntry = { path: "json", control, error: null, wrapper: null, write: null };
    return control;
  }

  refreshJson() {
    this.jsonEntry.control.value = JSON.stringify(this.document, null, 2);
  }

  fill({ skipJson = false } = {}) {
    for (const field of this.fields) field.write?.(getPath(this.document, field.path));
    if (!skipJson) this.refreshJson();
  }

  showError(entry, message) {
    entry.error.textContent = message;
    entry.wrapper.classList.toggle("invalid", Boolean(message));
    if (message) entry.control.setAttribute("aria-invalid", "true");
    else entry.control.removeAttribute("aria-invalid");
  }

  /** The form field that owns `path` (the longest matching prefix), else the JSON editor. */
  owner(path) {
    const matches = this.fields.filter((f) => path === f.path || path.startsWith(`${f.path}.`));
    return matches.sort((a, b) => b.path.length - a.path.length)[0] ?? this.jsonEntry;
  }

  showProblems(problems) {
    for (const field of [...this.fields, this.jsonEntry]) this.showError(field, "");
    const grouped = new Map();
    for (const problem of problems) {
      const owner = this.owner(problem.path);
      const where = owner === this.jsonEntry ? problem.path : problem.path.slice(owner.path.length + 1);
      const text = where ? `${where}: ${problem.message}` : problem.message;
      grouped.set(owner, [...(grouped.get(owner) ?? []), text]);
    }
    for (const [owner, texts] of grouped) this.showError(owner, texts.join(" · "));
    this.summary.hidden = problems.length === 0;
    mount(this.summary,
      h("p", {}, `The server refused the agent: ${problems.length} field${problems.length === 1 ? "" : "s"} to fix.`),
      h("ul", {}, problems.map((p) => h("li", {}, h("code", {}, p.path || "(body)"), ` ${p.message}`))));
    if (problems.length) this.summary.focus(); // read first, then Tab on to the fields
  }

  async save(event) {
    event.preventDefault();
    const unparsed = [...this.unparsed][0];
    if (unparsed) return unparsed.control.focus();
    try {
      if (this.agentId) {
        await api.updateAgent(this.agentId, this.document);
        this.showProblems([]);
        announce("Agent saved.");
        this.flash("Saved.");
      } else {
        const { agent_id: created } = await api.createAgent(this.document);
        location.hash = `#/agents/${encodeURIComponent(created)}`;
        announce("Agent created.");
      }
    } catch (error) {
      if (error instanceof ApiError && error.fields.length) this.showProblems(error.fields);
      else this.showProblems([{ path: "", message: error.message }]);
    }
  }

  flash(text) {
    const note = h("span", { class: "saved" }, text); // announced by the live region
    this.element.querySelector(".actions.sticky").append(note);
    setTimeout(() => note.remove(), 2500);
  }

  async remove() {
    if (!confirm(`Delete ${this.document.name || "this agent"}? Its conversations stay.`)) return;
    await api.deleteAgent(this.agentId);
    location.hash = "#/agents";
  }
}
