/** One spec section: its facts, own text and commentary, examples with GOOD/BAD responses, eval prompts. */
import { normalizeAuthority } from "../../conversation/index.js";
import {
  evalPromptsOf,
  examplesOf as examplesOfSection,
  type Section,
  type SpecModel,
} from "../../spec/index.js";
import { html, type SafeHtml } from "../html.js";
import { urls } from "../urls.js";
import { conversation } from "./conversation.js";
import { examplesOf, sectionText } from "./example.js";
import { authorityBadge, facts } from "./parts.js";

export function specSectionPage(spec: SpecModel, source: string, section: Section): SafeHtml {
  const link = (id: string | null) =>
    id ? html`<a class="mono" href="${urls.specSection(id, source)}">${id}</a>` : null;
  const children = spec.sections.filter((s) => s.parentId === section.id);
  const prompts = evalPromptsOf(spec, section.id);
  return html`<p class="crumbs"><a href="${urls.spec(source)}">Spec ${spec.source.version ?? source}</a> › <span class="mono">${section.id}</span></p>
<h1>${section.title} ${authorityBadge(section.authority === null ? null : normalizeAuthority(section.authority))}</h1>
<div class="card">${facts([
    ["id", html`<span class="mono">${section.id}</span>`],
    ["authority", section.authority],
    ["parent", link(section.parentId)],
    ["top-level section", link(section.topLevelId)],
    ["tags", section.tags.join(", ")],
    ["line", section.line],
    ["authorities below", section.authoritiesBelow.join(", ")],
  ])}${
    section.crossReferences.length
      ? html`<p class="muted">Refers to: ${[...new Set(section.crossReferences.map((r) => r.id))].map(
          (id, i) => html`${i ? ", " : ""}${link(id)}`,
        )}</p>`
      : ""
  }</div>
${sectionText(section)}
${children.length ? html`<h2>Subsections</h2><ul class="sections">${children.map((c) => html`<li><a href="${urls.specSection(c.id, source)}">${c.title}</a> <span class="mono muted">#${c.id}</span></li>`)}</ul>` : ""}
<h2>Examples</h2>
${examplesOf(examplesOfSection(spec, section.id))}
${prompts.length ? html`<h2>Eval prompts (${prompts.length})</h2>${prompts.map((p) => html`<details class="card"><summary>${p.title ?? p.id} <span class="mono muted">${p.id}</span></summary>${conversation(p.messages)}</details>`)}` : ""}`;
}
