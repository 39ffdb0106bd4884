// Settings: what this server is and runs on (version, database, CPU, models and the speed the
// embedded model showed when it loaded, voices), and its API keys. The server info is asked
// again every few seconds until the model's speed is known, so "not measured yet" turns into
// a figure without a reload.
import { api, apiKey } from "../api.js";
import { announce, copyButton, formatTime, h, mount } from "../dom.js";

const REFRESH_MS = 3000;
const STATE_TEXT = { "not loaded": "Not loaded yet", loading: "Loading…", ready: "Ready", failed: "Not available" };

export async function render() {
  const info = await api.serverInfo();
  const server = h("div", { class: "card" });
  const models = h("div", { class: "card" });
  const voices = h("div", { class: "card" }, h("h2", {}, "Voices"), h("p", { class: "hint" }, "Loading the voices…"));
  const keys = new KeysSection();
  const element = h("section", { class: "settings" },
    h("div", { class: "page-head" }, h("h1", { tabindex: "-1" }, "Settings")),
    h("div", { class: "grid" }, server, models),
    voices,
    keys.element,
  );
  let timer = null;
  let left = false;
  const show = (latest) => {
    if (left) return;
    mount(server, h("h2", {}, "Server"), facts(serverFacts(latest)));
    mount(models, h("h2", {}, "Models"), facts(modelFacts(latest)), endpoints(latest.llm_endpoints));
    const { state, speed } = latest.embedded_llm;
    const measuring = latest.preload_models && !speed && ["not loaded", "loading", "ready"].includes(state);
    if (measuring) timer = setTimeout(() => api.serverInfo().then(show).catch(() => {}), REFRESH_MS);
  };
  show(info);
  fillVoices(voices, info.speech.enabled);
  await keys.load();
  return { element, leave: () => { left = true; clearTimeout(timer); } };
}

/** [[term, value, hint?], …] as a description list. */
function facts(items) {
  return h("dl", { class: "facts" }, items.flatMap(([term, value, hint]) => [
    h("dt", {}, term),
    h("dd", {}, value, hint && " ", hint && h("span", { class: "hint" }, hint)),
  ]));
}

function serverFacts(info) {
  const { cpu } = info;
  const cores = cpu.usable_cores === cpu.cores ? `${cpu.cores}` : `${cpu.usable_cores} of ${cpu.cores}`;
  return [
    ["Version", `Parley ${info.version}`, `(Python ${info.python})`],
    ["CPU", cpu.model, `(${cpu.architecture}, ${cores} cores)`],
    ["Database", info.database.kind, h("code", {}, info.database.url)],
    ["Public URL", info.public_url ?? "Not set",
      info.public_url ? "" : `(signed URLs use each request's address, here ${location.origin}; set PARLEY_PUBLIC_URL)`],
    ["Voice", info.speech.enabled ? "On" : "Off: every conversation is text-only", info.speech.enabled ? "" : "(PARLEY_VOICE)"],
    ["Models load", info.preload_models ? "At start-up" : "On first use"],
  ];
}

function modelFacts(info) {
  const llm = info.embedded_llm;
  const speech = info.speech;
  return [
    ["Embedded LLM", llm.model, `(${STATE_TEXT[llm.state] ?? llm.state})`],
    ["Speed", speedText(llm, info.preload_models)],
    ["LLM threads", `${llm.decode_threads} for writing, ${llm.prompt_threads} for reading the prompt`],
    ["Speech models", speech.models.length ? speech.models.join(", ") : STATE_TEXT[speech.state] ?? speech.state,
      speech.enabled ? "" : "(voice is off)"],
  ];
}

function speedText(llm, preloaded) {
  const { speed } = llm;
  if (speed) {
    return [`${speed.tokens_per_second.toFixed(1)} tokens/s, first token after ${speed.first_token_seconds.toFixed(2)} s`,
      h("span", { class: "hint" }, " (measured at start-up)")];
  }
  if (llm.state === "failed") return "Not measured: the model did not load";
  if (!preloaded) return "Not measured: Parley measures it at start-up when PARLEY_PRELOAD_MODELS is on";
  return "Not measured yet";
}

function endpoints(list) {
  if (!list.length) {
    return h("p", { class: "hint" },
      "Every llm name runs on the embedded model; PARLEY_LLM_ENDPOINTS routes names to other servers.");
  }
  return h("div", { class: "table-wrap" }, h("table", { class: "endpoints" },
    h("caption", {}, "LLM endpoints"),
    h("thead", {}, h("tr", {}, ["llm", "Model id", "URL"].map((title) => h("th", { scope: "col" }, title)))),
    h("tbody", {}, list.map((endpoint) => h("tr", {},
      h("td", {}, h("code", {}, endpoint.llm)), h("td", {}, endpoint.model_id ?? "(as named)"),
      h("td", {}, h("code", {}, endpoint.url)))))));
}

async function fillVoices(card, enabled) {
  let heading = h("h2", {}, "Voices");
  if (!enabled) return mount(card, heading, h("p", { class: "hint" }, "Voice is off (PARLEY_VOICE=false)."));
  try {
    const { voices } = await api.voices();
    heading = h("h2", {}, `Voices (${voices.length} installed)`);
    if (!voices.length) {
      return mount(card, heading, h("p", { class: "hint" },
        "No voices are installed: the speech models are missing (see the server's log for what to install)."));
    }
    return mount(card, heading, h("div", { class: "table-wrap" }, h("table", { class: "voices" },
      h("caption", { class: "visually-hidden" }, "Installed voices"),
      h("thead", {}, h("tr", {}, ["Voice id", "Name", "Language", "Gender", "Engine"]
        .map((title) => h("th", { scope: "col" }, title)))),
      h("tbody", {}, voices.map((voice) => h("tr", {},
        h("td", {}, h("code", {}, voice.voice_id)), h("td", {}, voice.name),
        h("td", {}, voice.labels.language ?? ""), h("td", {}, voice.labels.gender ?? ""),
        h("td", {}, voice.labels.engine ?? "")))))));
  } catch (error) {
    return mount(card, heading, h("p", { class: "error" }, `Could not list the voices: ${error.message}`));
  }
}

class KeysSection {
  constructor() {
    this.rows = h("tbody");
    this.created = h("div", { class: "created-key", role: "status", hidden: true });
    this.problem = h("p", { class: "field-error", role: "alert" });
    this.name = h("input", { id: "key-name", type: "text", required: true, autocomplete: "off", placeholder: "ci-bot" });
    this.element = h("div", { class: "card" },
      h("h2", {}, "API keys"),
      h("p", { class: "hint" }, "Every REST call and this console need one. Parley keeps only a digest of each key, ",
        "so a new key is shown once. The PARLEY_API_KEY key comes back at every start."),
      h("div", { class: "table-wrap" }, h("table", { class: "keys" },
        h("caption", { class: "visually-hidden" }, "API keys"),
        h("thead", {}, h("tr", {}, ["Name", "Key", "Created", "Status", ""].map((title) => h("th", { scope: "col" }, title)))),
        this.rows)),
      h("form", { class: "row create-key", onsubmit: (event) => this.create(event) },
        h("label", { for: "key-name", class: "visually-hidden" }, "Name of the new key"),
        this.name,
        h("button", { type: "submit", class: "primary" }, "Create key")),
      this.problem,
      this.created,
    );
  }

  async load() {
    const { api_keys: keys } = await api.apiKeys();
    const mine = (apiKey.get() ?? "").slice(0, 8);
    mount(this.rows, keys.map((key) => {
      const active = key.revoked_at_unix_secs === null;
      return h("tr", { class: active ? "" : "revoked" },
        h("td", {}, key.name, key.key_prefix === mine && active ? h("span", { class: "hint" }, " (this browser)") : ""),
        h("td", {}, h("code", {}, `${key.key_prefix}…`)),
        h("td", {}, formatTime(key.created_at_unix_secs)),
        h("td", {}, active ? "Active" : `Revoked ${formatTime(key.revoked_at_unix_secs)}`),
        h("td", {}, active && h("button", { type: "button", class: "danger small",
          "aria-label": `Revoke ${key.name}`, onclick: () => this.revoke(key, key.key_prefix === mine) }, "Revoke")));
    }));
  }

  async create(event) {
    event.preventDefault();
    this.problem.textContent = "";
    try {
      const created = await api.createApiKey(this.name.value);
      const value = h("input", { type: "text", readonly: true, value: created.api_key, class: "code",
        "aria-label": "The new API key" });
      mount(this.created,
        h("p", {}, h("strong", {}, `Key “${created.name}” created. `), "Copy it now: it will not be shown again."),
        h("div", { class: "row" }, value, copyButton(value)));
      this.created.hidden = false;
      this.name.value = "";
      await this.load();
      value.select();
    } catch (error) {
      this.problem.textContent = error.fields?.length ? "Give the key a name." : error.message;
    }
  }

  async revoke(key, isMine) {
    const warning = isMine ? " This browser uses it: you will be asked for another key." : "";
    if (!confirm(`Revoke ${key.name}? Requests with it are refused from now on.${warning}`)) return;
    this.problem.textContent = "";
    try {
      await api.revokeApiKey(key.key_id);
      announce(`${key.name} revoked.`);
      if (isMine) {
        apiKey.clear();
        location.reload();
        return;
      }
      await this.load();
    } catch (error) {
      this.problem.textContent = error.message;
    }
  }
}
