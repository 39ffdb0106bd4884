// A form bound to one JSON document: each field edits the value at its dotted path, a JSON
// editor shows (and edits) the whole document, and server problems are shown at the field
// that owns their path (the longest matching prefix), else under the JSON editor.
import { h, mount, uid } from "./dom.js";

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

const asText = { read: (c) => c.value, write: (c, v) => { c.value = v ?? ""; } };

export class BoundForm {
  constructor(document) {
    this.document = document;
    this.fields = [];
    this.unparsed = new Set(); // fields whose text is not valid yet (JSON being typed)
    this.summary = h("div", { class: "error-summary", role: "alert", hidden: true, tabindex: "-1" });
  }

  /** A labelled wrapper with a hint and an error slot, registered under `path`. */
  field(path, label, control, hint) {
    const id = uid("field");
    control.id = id;
    const error = h("p", { class: "field-error", id: `${id}-error` });
    control.setAttribute("aria-describedby", `${hint ? `${id}-hint ` : ""}${id}-error`);
    const wrapper = h("div", { class: "field", dataset: { path } },
      control.type === "checkbox"
        ? h("label", { class: "check", for: id }, control, ` ${label}`)
        : [h("label", { for: id }, label), control],
      hint && h("p", { class: "hint", id: `${id}-hint` }, hint),
      error,
    );
    const entry = { path, control, error, wrapper, write: null };
    this.fields.push(entry);
    return entry;
  }

  /** Keep `path` and the control in step; `read` may throw to say the text is not valid. */
  bind(entry, { read, write }) {
    entry.write = (value) => write(entry.control, value);
    const update = () => {
      try {
        setPath(this.document, entry.path, read(entry.control));
        this.settle(entry, "");
      } catch (problem) {
        this.settle(entry, problem.message);
        return;
      }
      this.refreshJson();
    };
    entry.control.addEventListener(entry.control.tagName === "SELECT" || entry.control.type === "checkbox"
      ? "change" : "input", update);
    return entry.wrapper;
  }

  /** A local parse result: an unparsed field blocks saving until it is fixed. */
  settle(entry, problem) {
    if (problem) this.unparsed.add(entry);
    else this.unparsed.delete(entry);
    this.showError(entry, problem);
  }

  input(path, label, hint, attributes = {}) {
    return this.bind(this.field(path, label, h("input", { type: "text", ...attributes }), hint), asText);
  }

  textarea(path, label, rows, hint) {
    return this.bind(this.field(path, label, h("textarea", { rows }), hint), asText);
  }

  select(path, label, options, hint) {
    const control = h("select", {}, options.map(([value, text]) => h("option", { value }, text)));
    return this.bind(this.field(path, label, control, hint), {
      read: (c) => c.value || undefined,
      write: (c, v) => {
        if (v && ![...c.options].some((o) => o.value === v)) c.append(h("option", { value: v }, v));
        c.value = v ?? c.options[0]?.value ?? "";
      },
    });
  }

  checkbox(path, label) {
    return this.bind(this.field(path, label, h("input", { type: "checkbox" })), {
      read: (c) => c.checked,
      write: (c, v) => { c.checked = Boolean(v); },
    });
  }

  /** A checkbox for whether `item` is in the list at `path` (the rest of the list stays). */
  listMember(path, item, label) {
    return this.bind(this.field(path, label, h("input", { type: "checkbox" })), {
      read: (c) => {
        const others = (getPath(this.document, path) ?? []).filter((value) => value !== item);
        return c.checked ? [...others, item] : others;
      },
      write: (c, v) => { c.checked = (v ?? []).includes(item); },
    });
  }

  jsonList(path, label, hint) {
    const control = h("textarea", { rows: 5, class: "code", spellcheck: "false" });
    return this.bind(this.field(path, label, control, hint), {
      read: (c) => {
        const value = JSON.parse(c.value || "[]");
        if (!Array.isArray(value)) throw new Error("This must be a JSON list.");
        return value;
      },
      write: (c, v) => { c.value = JSON.stringify(v ?? [], null, 2); },
    });
  }

  /** The whole document as JSON; editing it refills every field. */
  jsonEditor(label, hint) {
    const control = h("textarea", { class: "code", rows: 18, spellcheck: "false" });
    this.json = this.field("json", label, control, hint);
    this.fields.pop(); // owns every path no field claims, so it is looked up last
    control.addEventListener("input", () => {
      try {
        const parsed = JSON.parse(control.value);
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
          throw new Error("the configuration must be a JSON object");
        }
        this.document = parsed;
        this.settle(this.json, "");
        this.fill({ skipJson: true });
      } catch (problem) {
        this.settle(this.json, `Not valid JSON yet: ${problem.message}`);
      }
    });
    return this.json.wrapper;
  }

  refreshJson() {
    if (this.json) this.json.control.value = JSON.stringify(this.document, null, 2);
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

  owner(path) {
    const matches = this.fields.filter((f) => path === f.path || path.startsWith(`${f.path}.`));
    return matches.sort((a, b) => b.path.length - a.path.length)[0] ?? this.json;
  }

  /** Server problems ({path, message}) at their fields, and a summary on top. */
  showProblems(problems, heading) {
    for (const field of [...this.fields, this.json]) this.showError(field, "");
    const grouped = new Map();
    for (const problem of problems) {
      const owner = this.owner(problem.path);
      const where = owner === this.json ? problem.path : problem.path.slice(owner.path.length + 1);
      grouped.set(owner, [...(grouped.get(owner) ?? []), where ? `${where}: ${problem.message}` : problem.message]);
    }
    for (const [owner, texts] of grouped) this.showError(owner, texts.join(" · "));
    this.summary.hidden = problems.length === 0;
    mount(this.summary, h("p", {}, heading),
      h("ul", {}, problems.map((p) => h("li", {}, h("code", {}, p.path || "(body)"), ` ${p.message}`))));
    if (problems.length) this.summary.focus(); // read first, then Tab on to the fields
  }

  /** The first field whose text does not parse (focus it instead of saving). */
  firstUnparsed() {
    return [...this.unparsed][0];
  }
}
