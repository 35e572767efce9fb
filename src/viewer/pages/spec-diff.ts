/** What changed between two specs (`diffSpecs`): sections, titles, authority, moves, text, examples, prompts. */
import type { SpecDiff } from "../../spec/index.js";
import type { SpecChoice } from "../data/specs.js";
import { html, type SafeHtml } from "../html.js";
import { urls } from "../urls.js";
import { table } from "./parts.js";
import { specForms } from "./spec.js";

const mono = (text: string | null) => html`<span class="mono">${text ?? "—"}</span>`;

export function specDiffPage(choices: SpecChoice[], from: string, to: string, d: SpecDiff): SafeHtml {
  const link = (id: string, source: string) =>
    html`<a class="mono" href="${urls.specSection(id, source)}">${id}</a>`;
  const list = (title: string, items: SafeHtml[]) =>
    items.length
      ? html`<h2>${title} (${items.length})</h2><ul class="sections">${items.map((i) => html`<li>${i}</li>`)}</ul>`
      : "";
  const total =
    d.added.length +
    d.removed.length +
    d.retitled.length +
    d.authorityChanged.length +
    d.moved.length +
    d.textChanged.length +
    d.examples.length +
    d.evalPromptFiles.added.length +
    d.evalPromptFiles.removed.length +
    d.evalPromptFiles.changed.length;
  return html`<h1>Spec diff</h1>${specForms(choices, to, from, to)}
<p><span class="mono">${from}</span> (${d.from ?? "folder"}) → <span class="mono">${to}</span> (${d.to ?? "folder"})</p>
${total === 0 ? html`<div class="card empty">No differences.</div>` : ""}
${list(
  "Added sections",
  d.added.map(
    (s) =>
      html`<span class="diff-add">+</span> ${link(s.id, to)} ${s.title} <span class="muted">${s.authority ?? ""}</span>`,
  ),
)}
${list(
  "Removed sections",
  d.removed.map(
    (s) =>
      html`<span class="diff-del">−</span> ${link(s.id, from)} ${s.title} <span class="muted">${s.authority ?? ""}</span>`,
  ),
)}
${
  d.retitled.length
    ? html`<h2>Retitled (${d.retitled.length})</h2>${table(
        [
          { head: "section", cell: (r) => link(r.id, to) },
          { head: "from", cell: (r) => r.from },
          { head: "to", cell: (r) => r.to },
        ],
        d.retitled,
      )}`
    : ""
}
${
  d.authorityChanged.length
    ? html`<h2>Authority changed (${d.authorityChanged.length})</h2>${table(
        [
          { head: "section", cell: (r) => link(r.id, to) },
          { head: "title", cell: (r) => r.title },
          { head: "from", cell: (r) => mono(r.from) },
          { head: "to", cell: (r) => mono(r.to) },
        ],
        d.authorityChanged,
      )}`
    : ""
}
${
  d.moved.length
    ? html`<h2>Moved (${d.moved.length})</h2>${table(
        [
          { head: "section", cell: (r) => link(r.id, to) },
          { head: "parent before", cell: (r) => mono(r.from) },
          { head: "parent after", cell: (r) => mono(r.to) },
        ],
        d.moved,
      )}`
    : ""
}
${list(
  "Text changed",
  d.textChanged.map((id) => link(id, to)),
)}
${
  d.examples.length
    ? html`<h2>Examples changed (${d.examples.length} section(s))</h2>${table(
        [
          { head: "section", cell: (r) => link(r.sectionId, to) },
          { head: "added", cell: (r) => r.added.join("; ") },
          { head: "removed", cell: (r) => r.removed.join("; ") },
          { head: "changed", cell: (r) => r.changed.join("; ") },
        ],
        d.examples,
      )}`
    : ""
}
${list("Eval prompt files added", d.evalPromptFiles.added.map(mono))}
${list("Eval prompt files removed", d.evalPromptFiles.removed.map(mono))}
${list("Eval prompt files changed", d.evalPromptFiles.changed.map(mono))}`;
}
