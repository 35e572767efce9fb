/** Two runs side by side: each run's per-section rates, and the paired difference on samples both graded. */

import { count, decimal, formatRate, points } from "../../report/index.js";
import type { GroupRow, RunComparison, RunSummary } from "../../runs/index.js";
import type { PairedDifference } from "../../stats/index.js";
import { type DiffBar, diffChart } from "../charts.js";
import { html, type SafeHtml } from "../html.js";
import { urls } from "../urls.js";
import { table } from "./parts.js";

export interface CompareInput {
  runs: { id: string; model: string; judge: string }[];
  a?: string;
  b?: string;
  result?: { a: RunSummary; b: RunSummary; comparison: RunComparison };
}

function picker(input: CompareInput): SafeHtml {
  const options = (current: string | undefined) =>
    input.runs.map(
      (r) =>
        html`<option value="${r.id}"${r.id === current ? html` selected` : ""}>${r.id} · ${r.model} · judge ${r.judge}</option>`,
    );
  return html`<form class="filters" method="get" action="/compare"><label>A (baseline)<select name="a">${options(input.a)}</select></label><label>B<select name="b">${options(input.b)}</select></label><button type="submit">Compare</button></form>`;
}

const rate = (r: GroupRow | undefined) =>
  r
    ? html`${formatRate(r.rate, r.ci95)} <span class="muted">${r.compliant}/${r.graded}</span>`
    : html`<span class="muted">—</span>`;

/**
 * The paired samples compliant in A only and in B only, each count a link to those samples. Clustered counts
 * are of prompts, not samples, so they stay text (as do samples without a section).
 */
function flipLinks(c: RunComparison, d: PairedDifference, section?: string): SafeHtml {
  const linked = !c.clustered && section !== "(none)";
  const link = (n: number, only: "a" | "b") =>
    linked && n > 0
      ? html`<a class="flips" href="${urls.flips({ a: c.runA, b: c.runB, only, section })}">${n}</a>`
      : html`${n}`;
  return html`${link(d.b, "a")} / ${link(d.c, "b")}`;
}

const diff = (d: PairedDifference) =>
  d.n === 0 ? "—" : `${points(d.diff)} [${d.ci95 ? `${points(d.ci95[0])}, ${points(d.ci95[1])}` : "—"}]`;

export function comparePage(input: CompareInput): SafeHtml {
  const head = html`<h1>Compare runs</h1>${picker(input)}`;
  if (input.runs.length < 2)
    return html`${head}<div class="card empty">Comparing needs two runs in the database.</div>`;
  if (!input.result)
    return html`${head}<p class="muted">Pick two runs. Samples are paired by sample id and epoch.</p>`;
  const { a, b, comparison: c } = input.result;
  const aRows = new Map(a.bySection.map((r) => [r.id, r]));
  const bRows = new Map(b.bySection.map((r) => [r.id, r]));
  const paired = new Map(c.bySection.map((r) => [r.sectionId, r]));
  const ids = [...new Set([...a.bySection.map((r) => r.id), ...b.bySection.map((r) => r.id)])];
  const none: PairedDifference = {
    n: 0,
    rateA: null,
    rateB: null,
    diff: null,
    b: 0,
    c: 0,
    pValue: 1,
    ci95: null,
  };
  const bars: DiffBar[] = [
    { id: "overall", ...c.overall },
    ...c.bySection.map((r) => ({
      ...r,
      id: r.sectionId,
      href: urls.samples({ run: b.runId, section: r.sectionId }),
    })),
  ];
  const rows = table(
    [
      {
        head: "section",
        cell: (id: string) =>
          html`<span class="mono">${id}</span>${(aRows.get(id)?.title ?? bRows.get(id)?.title) ? html`<br><span class="muted">${aRows.get(id)?.title ?? bRows.get(id)?.title}</span>` : ""}`,
      },
      { head: "A rate [95% CI]", num: true, cell: (id) => rate(aRows.get(id)) },
      { head: "B rate [95% CI]", num: true, cell: (id) => rate(bRows.get(id)) },
      { head: "paired n", num: true, cell: (id) => (paired.get(id) ?? none).n },
      { head: "B − A pts [95% CI]", num: true, cell: (id) => diff(paired.get(id) ?? none) },
      {
        head: "A✓B✗ / A✗B✓",
        num: true,
        cell: (id) => flipLinks(c, paired.get(id) ?? none, id),
      },
      {
        head: "p (McNemar)",
        num: true,
        cell: (id) => decimal(paired.get(id)?.pValue ?? null),
      },
    ],
    ids,
  );
  const side = (label: string, s: RunSummary) =>
    html`<div class="card"><div class="muted">${label}</div><div><a class="mono" href="${urls.run(s.runId)}">${s.runId}</a></div><div class="mono">${s.model}</div><div class="muted">judge <span class="mono">${s.judge}</span> · spec ${s.spec.version ?? s.spec.hash.slice(0, 12)} · ${s.dataset}</div><div>overall <b>${formatRate(s.overall.rate, s.overall.ci95)}</b> <span class="muted">(${count(s.overall.compliant)} of ${count(s.overall.graded)} graded)</span></div></div>`;
  return html`${head}
<div class="cols">${side("A (baseline)", a)}${side("B", b)}</div>
<div class="card headline"><div><div class="muted">paired difference B − A</div><div class="big">${points(c.overall.diff)} pts</div><div class="muted">95% CI ${c.overall.ci95 ? `${points(c.overall.ci95[0])} to ${points(c.overall.ci95[1])}` : "—"} · McNemar p = ${decimal(c.overall.pValue)}</div></div>
<div class="stat">paired samples<br><b>${count(c.paired)}</b></div>
<div class="stat">A on pairs<br><b>${formatRate(c.overall.rateA)}</b></div>
<div class="stat">B on pairs<br><b>${formatRate(c.overall.rateB)}</b></div>
<div class="stat">graded in one run only<br><b>${count(c.unpaired)}</b></div>
<div class="stat" data-stat="flips">A✓B✗ / A✗B✓<br><b>${flipLinks(c, c.overall)}</b>${
    c.overall.b + c.overall.c > 0
      ? html`<br><a class="all-flips" href="${urls.flips({ a: c.runA, b: c.runB })}">see both answers</a>`
      : ""
  }</div></div>
<p class="muted">Only samples graded in both runs (same sample id and epoch) are paired; the per-run rates below use each run's own graded samples.</p>
${
  c.paired === 0
    ? html`<div class="card empty">These runs share no graded samples, so there is no paired difference. Compare runs over the same samples, e.g. a run and its regrade, or two models on the same dataset.</div>`
    : html`<h2>Paired difference by section</h2>${diffChart("B − A in percentage points, with Newcombe 95% intervals", bars)}`
}
<h2>Per-section rates</h2>
${rows}`;
}
