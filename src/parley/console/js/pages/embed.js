// The snippet that puts an agent on another website: this server's widget.js and the
// <parley-convai> element it defines (see ../../widget.js), ready to copy.
import { api } from "../api.js";
import { copyButton, h } from "../dom.js";

const escapeAttribute = (text) => text.replaceAll("&", "&amp;").replaceAll('"', "&quot;").replaceAll("<", "&lt;");

/** The two lines of HTML, with `base` the address other sites reach this server at. */
export function widgetSnippet(base, agentId) {
  const origin = base.replace(/\/+$/, "");
  return `<script src="${escapeAttribute(origin)}/widget.js" async></script>\n` +
    `<parley-convai agent-id="${escapeAttribute(agentId)}"></parley-convai>`;
}

/** A card with the snippet (PARLEY_PUBLIC_URL when it is set, else this page's address). */
export function embedCard(agentId, requiresAuth) {
  const code = h("textarea", { id: "widget-snippet", class: "code", rows: 2, readonly: true, spellcheck: "false",
    "aria-describedby": "widget-snippet-hint" });
  code.value = widgetSnippet(location.origin, agentId);
  api.serverInfo()
    .then((info) => { if (info.public_url) code.value = widgetSnippet(info.public_url, agentId); })
    .catch(() => {}); // this page's address is the best guess left
  return h("div", { class: "card embed" },
    h("h2", {}, "Embed on a website"),
    h("label", { for: "widget-snippet" }, "Widget snippet"),
    code,
    h("div", { class: "row" }, copyButton(code, "Copy snippet")),
    h("p", { id: "widget-snippet-hint", class: "hint" },
      "Paste it into any page. Its look and texts come from platform_settings.widget in the configuration below.",
      requiresAuth ? " This agent requires a signed URL: your backend fetches one with its API key " +
        "(GET /v1/convai/conversation/get-signed-url) and gives it to the element as signed-url=\"…\"." : ""),
  );
}
