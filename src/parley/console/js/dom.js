// A tiny element builder: every value becomes text or an attribute, never HTML, so nothing the
// server or a caller said can inject markup into the page that holds the API key.

/** h("button", {class: "x", onclick: fn}, "text", child) → HTMLElement */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(element.dataset, value);
    else if (name === "style") Object.assign(element.style, value); // CSSOM: allowed by the CSP
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
}

/** Replace the children of `element`. */
export function mount(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

/** Say something to screen readers (the page's polite live region). */
export function announce(text) {
  const region = document.getElementById("status");
  if (region) region.textContent = text;
}

let nextId = 0;
/** A unique id for label/description wiring. */
export function uid(prefix) {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

/** "12 s ago"-style dates are ambiguous in logs; show the local date and time. */
export function formatTime(unixSeconds) {
  return new Date(unixSeconds * 1000).toLocaleString();
}

/** A button that copies the text of `field` (an input or textarea) and says so for a moment.
 * The Clipboard API needs a secure page (https or localhost); elsewhere the text is selected
 * and copied the old way. */
export function copyButton(field, label = "Copy") {
  const button = h("button", { type: "button", onclick: async () => {
    let copied = true;
    try {
      await navigator.clipboard.writeText(field.value);
    } catch {
      field.select();
      copied = document.execCommand("copy");
    }
    button.textContent = copied ? "Copied" : "Press Ctrl+C to copy";
    announce(copied ? "Copied to the clipboard." : "Selected: press Ctrl+C to copy.");
    setTimeout(() => { button.textContent = label; }, 2000);
  } }, label);
  return button;
}
