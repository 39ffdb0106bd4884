// One stored conversation: its recording, transcript with tool calls, and a per-turn latency
// waterfall (end of speech → transcript → LLM first token → first audio).
import { api } from "../api.js";
import { formatTime, h } from "../dom.js";

// The stage names Parley stores in conversation_turn_metrics (engine/transcript.py), each
// measured in seconds from the end of the user's speech.
const STAGES = [
  ["transcript_final", "Transcript"],
  ["llm_first_token", "LLM first token"],
  ["first_audio_sent", "First audio"],
];

export async function render(conversationId) {
  const conversation = await api.conversation(conversationId);
  const agentLink = `#/history/${encodeURIComponent(conversation.agent_id)}`;
  const element = h("section", { class: "conversation" },
    h("div", { class: "page-head" },
      h("h1", { tabindex: "-1" }, "Conversation"),
      h("a", { class: "button", href: agentLink }, "Back to history")),
    h("p", { class: "hint meta" },
      `${conversation.conversation_id} · ${formatTime(conversation.metadata.start_time_unix_secs)} · `,
      `${conversation.metadata.call_duration_secs} s · ${conversation.status}`,
      conversation.metadata.termination_reason ? ` · ${conversation.metadata.termination_reason}` : ""),
    conversation.has_audio && recording(conversation.conversation_id),
    waterfall(conversation.transcript),
    h("div", { class: "card" }, h("h2", {}, "Transcript"), transcript(conversation.transcript)),
  );
  return { element };
}

function recording(conversationId) {
  const player = h("audio", { controls: true, preload: "none", "aria-label": "Conversation recording" });
  const status = h("p", { class: "hint" }, "Loading the recording…");
  api.conversationAudio(conversationId)
    .then((blob) => {
      player.src = URL.createObjectURL(blob);
      status.remove();
    })
    .catch((error) => { status.textContent = `No recording: ${error.message}`; });
  return h("div", { class: "card" }, h("h2", {}, "Recording"), player, status);
}

function transcript(entries) {
  return h("ol", { class: "transcript" }, entries.map((entry) =>
    h("li", { class: `${entry.role}${entry.interrupted ? " interrupted" : ""}` },
      h("span", { class: "who" }, entry.role === "user" ? "User" : "Agent",
        h("span", { class: "time" }, ` ${entry.time_in_call_secs} s`)),
      entry.message && h("span", { class: "text" }, entry.message),
      entry.interrupted && h("span", { class: "hint" }, " (interrupted)"),
      (entry.tool_calls ?? []).map((call) => h("div", { class: "tool" },
        h("strong", {}, `→ ${call.tool_name}`), " ", h("code", {}, call.params_as_json))),
      (entry.tool_results ?? []).map((result) => h("div", { class: `tool${result.is_error ? " failed" : ""}` },
        h("strong", {}, `← ${result.tool_name}${result.is_error ? " (error)" : ""}`), " ",
        h("code", {}, result.result_value))),
    )));
}

/** Agent turns with stored metrics, one bar each, on a shared time axis. */
export function waterfall(entries) {
  const turns = entries
    .map((entry, index) => ({ entry, index, metrics: entry.conversation_turn_metrics?.metrics ?? {} }))
    .filter(({ entry, metrics }) => entry.role === "agent" && Object.keys(metrics).length > 0);
  if (turns.length === 0) return null;
  const seconds = (metrics, name) => metrics[name]?.elapsed_time;
  const longest = Math.max(...turns.flatMap(({ metrics }) => STAGES.map(([name]) => seconds(metrics, name) ?? 0)), 0.001);
  const rows = turns.map(({ entry, metrics }, turn) => {
    let previous = 0;
    const segments = STAGES.map(([name, label], stage) => {
      const at = seconds(metrics, name);
      if (at === undefined) return null;
      const start = previous;
      previous = Math.max(previous, at);
      return h("span", {
        class: `segment stage-${stage}`,
        style: { left: `${(start / longest) * 100}%`, width: `${(Math.max(0, at - start) / longest) * 100}%` },
        title: `${label}: ${at.toFixed(2)} s`,
      });
    });
    const figures = STAGES.filter(([name]) => seconds(metrics, name) !== undefined)
      .map(([name, label]) => `${label} ${seconds(metrics, name).toFixed(2)} s`).join(" · ");
    return h("tr", {},
      h("th", { scope: "row" }, `Turn ${turn + 1}`,
        h("span", { class: "hint quote" }, (entry.message ?? "").slice(0, 48))),
      h("td", { class: "bar-cell" }, h("div", { class: "bar", "aria-hidden": "true" }, segments)),
      h("td", { class: "figures" }, figures));
  });
  return h("div", { class: "card waterfall" },
    h("h2", {}, "Latency per turn"),
    h("p", { class: "hint" }, "From the end of the user's speech (or the typed message) to each stage of the reply."),
    h("ul", { class: "legend" }, STAGES.map(([, label], stage) =>
      h("li", {}, h("span", { class: `swatch stage-${stage}`, "aria-hidden": "true" }), label))),
    h("div", { class: "table-wrap" }, h("table", {},
      h("caption", { class: "visually-hidden" }, "Seconds from the end of speech to each stage"),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Turn"), h("th", { scope: "col" }, "Timeline"),
        h("th", { scope: "col" }, "Seconds"))),
      h("tbody", {}, rows))),
    h("p", { class: "axis hint" }, `Axis: 0 – ${longest.toFixed(2)} s`));
}
