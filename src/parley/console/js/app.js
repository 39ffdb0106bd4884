// The console's shell: asks for the API key once, then routes #/… to one page module each.
import { apiKey, ApiError } from "./api.js";
import { h, mount } from "./dom.js";
import * as agents from "./pages/agents.js";
import * as agentForm from "./pages/agent-form.js";
import * as talk from "./pages/talk.js";
import * as history from "./pages/history.js";
import * as conversation from "./pages/conversation.js";
import * as settings from "./pages/settings.js";

const routes = [
  [/^#\/agents\/new$/, () => agentForm.render(null)],
  [/^#\/agents\/([^/]+)$/, (id) => agentForm.render(id)],
  [/^#\/talk\/([^/]+)$/, (id) => talk.render(id)],
  [/^#\/history(?:\/([^/?]+))?(?:\?(.*))?$/,
    (agentId, query) => history.render(agentId ?? null, new URLSearchParams(query ?? ""))],
  [/^#\/conversations\/([^/]+)$/, (id) => conversation.render(id)],
  [/^#\/settings$/, () => settings.render()],
  [/^/, () => agents.render()],
];

const main = document.getElementById("main");
let leavePage = null;
let navigation = 0; // a slow page must not replace the one the user went on to

async function route() {
  const turn = ++navigation;
  if (leavePage) leavePage();
  leavePage = null;
  if (!apiKey.get()) return askForKey();
  document.getElementById("forget-key").hidden = false;
  const [pattern, page] = routes.find(([regex]) => regex.test(location.hash));
  const match = location.hash.match(pattern);
  const args = match.slice(1).map((part) => (part === undefined ? undefined : decodeURIComponent(part)));
  markCurrentLink();
  try {
    const view = await page(...args);
    if (turn !== navigation) return view.leave?.();
    mount(main, view.element);
    leavePage = view.leave ?? null;
    view.element.querySelector("h1")?.focus?.();
  } catch (error) {
    if (turn !== navigation) return undefined;
    if (error instanceof ApiError && error.status === 401) return askForKey("That API key was refused.");
    mount(main, h("div", { class: "card error", role: "alert" }, `Could not load this page: ${error.message}`));
  }
}

function markCurrentLink() {
  for (const link of document.querySelectorAll("header nav a")) {
    const current = location.hash.startsWith(link.getAttribute("href")) ||
      (link.getAttribute("href") === "#/agents" && !location.hash);
    if (current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

function askForKey(problem = "") {
  document.getElementById("forget-key").hidden = true;
  const input = h("input", {
    id: "api-key", type: "password", required: true, autocomplete: "off", spellcheck: "false",
    "aria-describedby": "api-key-help",
  });
  const form = h("form", { class: "card narrow", onsubmit: (event) => {
    event.preventDefault();
    apiKey.set(input.value);
    route();
  } },
    h("h1", { tabindex: "-1" }, "Connect to Parley"),
    problem && h("p", { class: "error", role: "alert" }, problem),
    h("label", { for: "api-key" }, "API key"),
    input,
    h("p", { id: "api-key-help", class: "hint" },
      "Parley printed a key when it first started (or use PARLEY_API_KEY, or `parley keys create`). ",
      "It stays in this browser only."),
    h("button", { type: "submit", class: "primary" }, "Continue"),
  );
  mount(main, form);
  input.focus();
}

document.getElementById("forget-key").addEventListener("click", () => {
  apiKey.clear();
  route();
});
window.addEventListener("hashchange", route);
route();
