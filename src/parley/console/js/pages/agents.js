// The agents page: every agent with links to talk, edit and its history.
import { api } from "../api.js";
import { formatTime, h, mount } from "../dom.js";

export async function render() {
  const list = h("ul", { class: "agent-list", "aria-label": "Agents" });
  const search = h("input", { id: "agent-search", type: "search", placeholder: "Search by name" });
  const element = h("section", {},
    h("div", { class: "page-head" },
      h("h1", { tabindex: "-1" }, "Agents"),
      h("a", { class: "button primary", href: "#/agents/new" }, "New agent"),
    ),
    h("label", { for: "agent-search", class: "visually-hidden" }, "Search agents"),
    search,
    list,
  );
  async function fill() {
    const page = await api.listAgents(search.value);
    mount(list, page.agents.length ? page.agents.map(row) : h("li", { class: "empty" },
      "No agents yet. Create one to start talking."));
  }
  let timer;
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(fill, 200);
  });
  await fill();
  return { element };
}

function row(agent) {
  const id = encodeURIComponent(agent.agent_id);
  return h("li", { class: "card agent" },
    h("div", {},
      h("h2", {}, agent.name || "Untitled agent"),
      h("p", { class: "hint" }, `${agent.agent_id} · updated ${formatTime(agent.updated_at_unix_secs)}`),
    ),
    h("div", { class: "actions" },
      h("a", { class: "button primary", href: `#/talk/${id}`, "aria-label": `Talk to ${agent.name}` }, "Talk"),
      h("a", { class: "button", href: `#/agents/${id}`, "aria-label": `Edit ${agent.name}` }, "Edit"),
      h("a", { class: "button", href: `#/history/${id}`, "aria-label": `History of ${agent.name}` }, "History"),
    ),
  );
}
