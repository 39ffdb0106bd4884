// Conversation history: the conversations of one agent (or all), newest first, page by page.
import { api } from "../api.js";
import { formatTime, h, mount } from "../dom.js";

export async function render(agentId) {
  const { agents } = await api.listAgents();
  const picker = h("select", { id: "history-agent", onchange: () => {
    location.hash = picker.value ? `#/history/${encodeURIComponent(picker.value)}` : "#/history";
  } },
    h("option", { value: "" }, "All agents"),
    agents.map((agent) => h("option", { value: agent.agent_id, selected: agent.agent_id === agentId }, agent.name)));
  const rows = h("tbody");
  const more = h("button", { type: "button", hidden: true }, "Load more");
  const element = h("section", {},
    h("div", { class: "page-head" },
      h("h1", { tabindex: "-1" }, "Conversation history"),
      h("div", { class: "field inline" }, h("label", { for: "history-agent" }, "Agent"), picker)),
    h("div", { class: "card table-wrap" },
      h("table", { class: "conversations" },
        h("caption", { class: "visually-hidden" }, "Conversations, newest first"),
        h("thead", {}, h("tr", {},
          ["Started", "Agent", "Duration", "Messages", "Status"].map((title) => h("th", { scope: "col" }, title)))),
        rows),
      more),
  );
  let cursor = null;
  async function load() {
    const page = await api.conversations(agentId, cursor);
    rows.append(...page.conversations.map(row));
    if (!rows.children.length) mount(rows, h("tr", {}, h("td", { colspan: 5, class: "empty" }, "No conversations yet.")));
    cursor = page.next_cursor;
    more.hidden = !page.has_more;
  }
  more.addEventListener("click", load);
  await load();
  return { element };
}

function row(conversation) {
  const href = `#/conversations/${encodeURIComponent(conversation.conversation_id)}`;
  return h("tr", {},
    h("td", {}, h("a", { href }, formatTime(conversation.start_time_unix_secs))),
    h("td", {}, conversation.agent_name ?? conversation.agent_id),
    h("td", {}, `${conversation.call_duration_secs} s`),
    h("td", {}, String(conversation.message_count)),
    h("td", {}, h("span", { class: `badge ${conversation.status}` }, conversation.status)));
}
