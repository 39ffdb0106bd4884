// Conversation history: newest first, page by page, narrowed by agent, status and start date
// with the platform's list filters (agent_id, exclude_statuses, call_start_after/before_unix).
// The filters live in the address (#/history/<agent>?status=done&from=…&to=…), so a reload or
// Back keeps them.
import { api } from "../api.js";
import { formatTime, h, mount } from "../dom.js";

const STATUS_TEXT = {
  initiated: "Starting",
  "in-progress": "In progress",
  processing: "Processing",
  done: "Done",
  failed: "Failed",
};
// what each choice of the status filter keeps (a call that is starting counts as in progress)
const KEEP = {
  "in-progress": ["initiated", "in-progress"],
  processing: ["processing"],
  done: ["done"],
  failed: ["failed"],
};

export async function render(agentId, query = new URLSearchParams()) {
  const { agents } = await api.listAgents();
  const chosen = { status: KEEP[query.get("status")] ? query.get("status") : "", from: query.get("from") ?? "",
    to: query.get("to") ?? "" };
  const picker = h("select", { id: "history-agent", onchange: () => go() },
    h("option", { value: "" }, "All agents"),
    agents.map((agent) => h("option", { value: agent.agent_id, selected: agent.agent_id === agentId }, agent.name)));
  const status = h("select", { id: "history-status", onchange: () => go() },
    h("option", { value: "" }, "Any status"),
    Object.keys(KEEP).map((value) => h("option", { value, selected: value === chosen.status }, STATUS_TEXT[value])));
  const from = h("input", { id: "history-from", type: "date", value: chosen.from, onchange: () => go() });
  const to = h("input", { id: "history-to", type: "date", value: chosen.to, onchange: () => go() });
  const filtered = Boolean(agentId || chosen.status || chosen.from || chosen.to);

  function go() {
    const next = new URLSearchParams();
    for (const [name, control] of [["status", status], ["from", from], ["to", to]]) {
      if (control.value) next.set(name, control.value);
    }
    const path = picker.value ? `#/history/${encodeURIComponent(picker.value)}` : "#/history";
    location.hash = next.toString() ? `${path}?${next}` : path;
  }

  const rows = h("tbody");
  const more = h("button", { type: "button", hidden: true }, "Load more");
  const problem = h("p", { class: "field-error", role: "alert" });
  const element = h("section", {},
    h("div", { class: "page-head" }, h("h1", { tabindex: "-1" }, "Conversation history")),
    h("form", { class: "card filters", "aria-label": "Filters", onsubmit: (event) => event.preventDefault() },
      field("history-agent", "Agent", picker),
      field("history-status", "Status", status),
      field("history-from", "From", from),
      field("history-to", "To", to),
      filtered && h("a", { class: "button", href: "#/history" }, "Clear filters"),
      problem),
    h("div", { class: "card table-wrap" },
      h("table", { class: "conversations" },
        h("caption", { class: "visually-hidden" }, "Conversations, newest first"),
        h("thead", {}, h("tr", {},
          ["Started", "Agent", "Duration", "Messages", "Status"].map((title) => h("th", { scope: "col" }, title)))),
        rows),
      more),
  );

  const filters = { agentId, ...dayRange(chosen.from, chosen.to) };
  if (chosen.status) filters.excludeStatuses = Object.keys(STATUS_TEXT).filter((s) => !KEEP[chosen.status].includes(s));
  if (filters.after !== undefined && filters.before !== undefined && filters.after >= filters.before) {
    problem.textContent = "The start of the date range is after its end.";
    return { element };
  }
  let cursor = null;
  async function load() {
    const page = await api.conversations(filters, cursor);
    rows.append(...page.conversations.map(row));
    if (!rows.children.length) {
      mount(rows, h("tr", {}, h("td", { colspan: 5, class: "empty" },
        filtered ? "No conversations match these filters." : "No conversations yet.")));
    }
    cursor = page.next_cursor;
    more.hidden = !page.has_more;
  }
  more.addEventListener("click", load);
  await load();
  return { element };
}

function field(id, label, control) {
  return h("div", { class: "field" }, h("label", { for: id }, label), control);
}

/** "2025-05-01" … "2025-05-02" (local days, both included) → unix seconds [after, before). */
function dayRange(from, to) {
  const midnight = (day) => Math.floor(new Date(`${day}T00:00:00`).getTime() / 1000);
  const range = {};
  if (from) range.after = midnight(from);
  if (to) {
    const next = new Date(`${to}T00:00:00`);
    next.setDate(next.getDate() + 1);
    range.before = Math.floor(next.getTime() / 1000);
  }
  return range;
}

function row(conversation) {
  const href = `#/conversations/${encodeURIComponent(conversation.conversation_id)}`;
  return h("tr", { dataset: { status: conversation.status } },
    h("td", {}, h("a", { href }, formatTime(conversation.start_time_unix_secs))),
    h("td", {}, conversation.agent_name ?? conversation.agent_id),
    h("td", {}, `${conversation.call_duration_secs} s`),
    h("td", {}, String(conversation.message_count)),
    h("td", {}, h("span", { class: `badge ${conversation.status}` },
      STATUS_TEXT[conversation.status] ?? conversation.status)));
}
