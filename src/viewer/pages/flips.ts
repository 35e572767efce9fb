/**
 * Compare's drill-down: the samples two runs disagree on (graded in both, compliant in one only), each with both
 * answers side by side and both verdicts, a page at a time; filtered by direction and section.
 */
import { count } from "../../report/index.js";
import type { RunRecord } from "../../runs/index.js";
import type { FlipPage, FlippedSample, FlipSide } from "../../store/index.js";
import { html, type SafeHtml } from "../html.js";
import { urls } from "../urls.js";
import { answerBlock, verdictChip } from "./parts.js";

export interface FlipsInput {
  a: RunRecord;
  b: RunRecord;
  page: FlipPage;
  /** Run A's sections, for the filter. */
  sections: string[];
}

const ONLY: [string, string][] = [
  ["", "both ways"],
  ["a", "compliant in A only (A✓ B✗)"],
  ["b", "compliant in B only (A✗ B✓)"],
];

function state(p: FlipPage) {
  return {
    a: p.a,
    b: p.b,
    only: p.filter.only,
    section: p.filter.section,
    limit: p.limit === 20 ? undefined : p.limit,
  };
}

function form(input: FlipsInput): SafeHtml {
  const f = input.page.filter;
  const option = (value: string, label: string, current: string | undefined) =>
    html`<option value="${value}"${value === (current ?? "") ? html` selected` : ""}>${label}</option>`;
  return html`<form class="filters" method="get" action="/compare/flips"><input type="hidden" name="a" value="${input.a.id}"><input type="hidden" name="b" value="${input.b.id}"><label>which<select name="only">${ONLY.map(([v, l]) => option(v, l, f.only))}</select></label><label>section (of A)<select name="section">${option("", "all sections", f.section)}${input.sections.map((s) => option(s, s, f.section))}</select></label><button type="submit">Apply</button></form>`;
}

function pager(p: FlipPage): SafeHtml {
  const link = (label: string, cursor: Record<string, string> | null) =>
    cursor
      ? html`<a href="${urls.flips({ ...state(p), ...cursor })}">${label}</a>`
      : html`<span class="disabled">${label}</span>`;
  return html`<div class="pager">${link("« First", p.prev ? {} : null)}${link("‹ Previous", p.prev ? { before: p.prev } : null)}${link(
    "Next ›",
    p.next ? { after: p.next } : null,
  )}<span class="muted">${count(p.total)} sample(s) the runs disagree on, ${p.rows.length} on this page</span></div>`;
}

function side(label: string, run: RunRecord, s: FlipSide, f: FlippedSample): SafeHtml {
  const verdict = s.compliant ? "compliant" : "non-compliant";
  return html`<div class="flip-side" data-side="${label}"><div class="msg-head"><b>${label}</b><a class="mono" href="${urls.sample(run.id, f.sampleId, f.epoch)}">${run.id}</a><span class="mono muted">${run.model}</span>${verdictChip(verdict, s.compliance)}</div>${
    s.response === null ? html`<div class="empty">No response.</div>` : answerBlock(s.response)
  }</div>`;
}

export function flipsPage(input: FlipsInput): SafeHtml {
  const { a, b, page } = input;
  const rows = page.rows.map(
    (f) =>
      html`<article class="card flip" data-sample="${f.sampleId}" data-epoch="${f.epoch}"><div class="msg-head"><span class="mono">${f.sampleId}</span>${f.epoch > 1 ? html`<span class="muted">epoch ${f.epoch}</span>` : ""}${f.sectionId ? html`<span class="tag">${f.sectionId}</span>` : ""}<a href="${urls.prompt(a.id, f.sampleId)}">every run's answer</a></div><p class="prompt">${f.prompt}</p><div class="cols">${side("A", a, f.a, f)}${side("B", b, f.b, f)}</div></article>`,
  );
  return html`<p class="crumbs"><a href="${urls.compare(a.id, b.id)}">Compare</a> › <span class="mono">${a.id}</span> vs <span class="mono">${b.id}</span> › samples they disagree on</p>
<h1>Samples the runs disagree on</h1>
<p class="muted">Graded in both runs (same sample id and epoch) and compliant in one only: the pairs behind the paired difference and McNemar's test. In run A's dataset order.</p>
${form(input)}${pager(page)}
<div id="flips">${rows.length ? rows : html`<div class="card empty">No sample is compliant in one run and not in the other${page.filter.section || page.filter.only ? " with these filters" : ""}.</div>`}</div>
${page.rows.length > 3 ? pager(page) : ""}`;
}
