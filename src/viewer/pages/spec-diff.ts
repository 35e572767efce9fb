/** What changed between two specs (`diffSpecs`): sections, titles, authority, moves, text, examples, prompts. */
import { count, wordDiffHunks } from "../../report/index.js";
import type { SectionTextChange, SpecDiff, WordDiffPart } from "../../spec/index.js";
import type { SpecChoice } from "../data/specs.js";
import { html, type SafeHtml } from "../html.js";
import { urls } from "../urls.js";
import { table } from "./parts.js";
import { specForms } from "./spec.js";

const mono = (text: string | null) => html`<span class="mono">${text ?? "—"}</span>`;

/** How much of a section's word diff the page shows: the rest is said, not shown. */
const WORD_DIFF = { context: 20, hunks: 100, changeChars: 5000 };

/** One run of a word diff: unchanged text as it is, a change in <ins>/<del> (clipped when very long); escaped. */
function wordDiffPart(p: WordDiffPart): SafeHtml | string {
  if (p.op === "same") return p.text;
  const chars = [...p.text];
  const text =
    chars.length > WORD_DIFF.changeChars
      ? `${chars.slice(0, WORD_DIFF.changeChars).join("")}… (${count(chars.length - WORD_DIFF.changeChars)} more characters)`
      : p.text;
  return p.op === "add" ? html`<ins>${text}</ins>` : html`<del>${text}</del>`;
}

/** A changed section's text, word by word: each run of changes with some unchanged words around it. */
function wordDiff(change: SectionTextChange, link: SafeHtml): SafeHtml {
  const hunks = wordDiffHunks(change.parts, WORD_DIFF.context);
  const shown = hunks.slice(0, WORD_DIFF.hunks);
  const rest = hunks.length - shown.length;
  return html`<details class="card" data-word-diff="${change.id}"><summary>${link} ${change.title} <span class="muted">+${count(change.wordsAdded)} −${count(change.wordsRemoved)} words${change.rewritten ? " (rewritten: too many changes for a word diff)" : ""}</span></summary>
${hunks.length === 0 ? html`<p class="muted">Whitespace or line breaks only.</p>` : ""}
${shown.map((h) => html`<p class="word-diff">${h.cutBefore ? "… " : ""}${h.parts.map(wordDiffPart)}${h.cutAfter ? " …" : ""}</p>`)}
${rest > 0 ? html`<p class="muted">${count(rest)} more change(s) not shown.</p>` : ""}</details>`;
}

export function specDiffPage(
  choices: SpecChoice[],
  from: string,
  to: string,
  d: SpecDiff,
  textChanges: SectionTextChange[],
): SafeHtml {
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
${
  textChanges.length
    ? html`<h2>Text changed (${textChanges.length})</h2><p class="muted">Word by word: <del>deleted</del>, <ins>inserted</ins>; unchanged text between changes is shortened (…).</p>${textChanges.map((c) => wordDiff(c, link(c.id, to)))}`
    : ""
}
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
