/** The spec browser: pick a spec, see its sections grouped by authority level. */
import { AUTHORITY_LEVELS, normalizeAuthority } from "../../conversation/index.js";
import type { Section, SpecModel } from "../../spec/index.js";
import type { SpecChoice } from "../data/specs.js";
import { html, type SafeHtml } from "../html.js";
import { urls } from "../urls.js";
import { authorityBadge, facts } from "./parts.js";

function options(choices: SpecChoice[], current: string | undefined): SafeHtml[] {
  return choices.map(
    (c) =>
      html`<option value="${c.source}"${c.source === current ? html` selected` : ""}>${c.source} (${c.origin === "cache" ? "cached release" : c.origin === "run" ? "used by a run" : "--spec"})</option>`,
  );
}

/** The spec picker and the diff form, shown on every spec page. */
export function specForms(choices: SpecChoice[], current?: string, from?: string, to?: string): SafeHtml {
  if (choices.length === 0) {
    return html`<div class="card empty">No spec to show: start the viewer with <code>--spec &lt;dir|version&gt;</code>.</div>`;
  }
  return html`<form class="filters" method="get" action="/spec"><label>spec<select name="spec">${options(choices, current)}</select></label><button type="submit">Show</button></form>
<form class="filters" method="get" action="/spec/diff"><label>diff from<select name="from">${options(choices, from ?? choices[1]?.source ?? current)}</select></label><label>to<select name="to">${options(choices, to ?? current)}</select></label><button type="submit">Diff</button></form>`;
}

function item(s: Section, spec: SpecModel, source: string): SafeHtml {
  const examples = spec.examples.filter((e) => e.sectionId === s.id).length;
  const prompts = spec.evalPrompts.filter((p) => p.sectionId === s.id).length;
  const counts = [examples ? `${examples} example(s)` : "", prompts ? `${prompts} eval prompt(s)` : ""]
    .filter(Boolean)
    .join(", ");
  return html`<li data-section="${s.id}"><a href="${urls.specSection(s.id, source)}">${s.title}</a> <span class="mono muted">#${s.id}</span>${s.tags.map((t) => html`<span class="tag">${t}</span>`)}${counts ? html` <span class="muted">· ${counts}</span>` : ""}</li>`;
}

export function specPage(choices: SpecChoice[], source: string, spec: SpecModel): SafeHtml {
  const levels = [...AUTHORITY_LEVELS.filter((l) => l !== "none"), null] as const;
  const groups = levels.map((level) => {
    const sections = spec.sections.filter((s) =>
      level === null
        ? s.authority === null
        : s.authority !== null && normalizeAuthority(s.authority) === level,
    );
    if (sections.length === 0) return html``;
    return html`<section class="group" data-authority="${level ?? "none"}"><h2>${level === null ? "No authority level (groups and prose)" : html`${authorityBadge(level)} ${level}`} <span class="n">${sections.length} section(s)</span></h2><ul class="sections">${sections.map((s) => item(s, spec, source))}</ul></section>`;
  });
  return html`<h1>Spec ${spec.source.version ?? ""}</h1>${specForms(choices, source)}<div class="card">${facts(
    [
      ["source", html`<span class="mono">${source}</span>`],
      ["release", spec.source.version ?? "not a known release"],
      [
        "sha256",
        html`<span class="mono" title="${spec.source.sha256}">${spec.source.sha256.slice(0, 16)}</span>`,
      ],
      ["sections", spec.sections.length],
      ["examples", spec.examples.length],
      ["eval prompts", spec.evalPrompts.length],
    ],
  )}</div>${groups}`;
}
