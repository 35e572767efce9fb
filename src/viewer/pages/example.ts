/** A spec example: its conversation, then each labelled candidate response (GOOD / BAD / OK) with its note. */
import type { Example, Section } from "../../spec/index.js";
import { html, type SafeHtml } from "../html.js";
import { conversation, message } from "./conversation.js";
import { chip } from "./parts.js";

function example(e: Example, open: boolean): SafeHtml {
  const labels = ["GOOD", "BAD", "OK"]
    .map((l) => [l, e.responses.filter((r) => r.label === l).length] as const)
    .filter(([, n]) => n > 0)
    .map(([l, n]) => `${n} ${l}`)
    .join(", ");
  const responses = e.responses.map(
    (r) =>
      html`<div class="labelled" data-label="${r.label}"><div class="msg-head">${chip(r.label)}${r.note ? html`<span>${r.note}</span>` : ""}${r.refs.map((id) => html`<span class="tag">${id}</span>`)}</div>${message(
        { role: "assistant", content: r.content, parts: r.parts, attributes: r.attributes },
      )}</div>`,
  );
  return html`<details class="card example"${open ? html` open` : ""}><summary>${e.title ?? e.id} <span class="muted">(${labels || "no responses"})</span></summary>${conversation(e.messages)}${responses}</details>`;
}

/** All examples of a section; a short list starts expanded. */
export function examplesOf(examples: Example[]): SafeHtml {
  if (examples.length === 0) return html`<p class="muted">This section has no examples.</p>`;
  return html`${examples.map((e) => example(e, examples.length <= 3))}`;
}

const EXAMPLE_BLOCK = /^\*\*Example\*\*.*\n+(~~~|```)xml\n[\s\S]*?\n\1[ \t]*$/gm;
const META_BLOCK = /^!!! meta[^\n]*\n(?:(?: {4}[^\n]*|[ \t]*)\n)*/gm;

/** The section's markdown without its example blocks and `!!! meta` blocks, which are shown on their own. */
function proseOf(section: Section): string {
  return section.body
    .replace(
      EXAMPLE_BLOCK,
      (block) => `[${(block.split("\n")[0] ?? "").replace(/\*\*/g, "")} — shown under Examples]`,
    )
    .replace(META_BLOCK, "")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** A section's own text (untrusted: shown as text, not rendered), then its commentary. */
export function sectionText(section: Section, open = true): SafeHtml {
  const commentary = section.commentary.map(
    (c) =>
      html`<div class="part settings"><div class="part-label">commentary</div><pre class="prose">${c.trim()}</pre></div>`,
  );
  return html`<details class="card"${open ? html` open` : ""}><summary>Section text</summary><pre class="prose">${proseOf(section) || "(no text of its own)"}</pre>${commentary}</details>`;
}
