/**
 * Part of a run's overview: the 1–7 score histogram and where samples failed (failure kinds of the non-compliant
 * ones, errors and ungraded samples by reason), for the whole run or one section picked in a form.
 */
import type { GroupRow, RunRecord, RunSummary } from "../../runs/index.js";
import type { ScoreBreakdown } from "../../store/index.js";
import { type CountBar, countChart, scoreHistogram } from "../charts.js";
import { html, type SafeHtml } from "../html.js";
import { urls } from "../urls.js";

const samplesOf = (g: { graded: number; ungraded: number; errors: number; pending: number }) =>
  g.graded + g.ungraded + g.errors + g.pending;

function picker(run: RunRecord, sections: GroupRow[], current: string | null): SafeHtml {
  const options = sections
    .filter((s) => s.id !== "(none)")
    .map(
      (s) =>
        html`<option value="${s.id}"${s.id === current ? html` selected` : ""}>${s.id}${s.title ? ` — ${s.title}` : ""}</option>`,
    );
  return html`<form class="filters" method="get" action="${`${urls.run(run.id)}#scores`}"><label>for<select name="section"><option value="">the whole run</option>${options}</select></label><button type="submit">Show</button></form>`;
}

export function scoresPart(run: RunRecord, summary: RunSummary, b: ScoreBreakdown, links: boolean): SafeHtml {
  const section = b.section ?? undefined;
  const row = section ? summary.bySection.find((s) => s.id === section) : undefined;
  const total = row ? samplesOf(row) : summary.samples;
  const samples = (verdict: string, sort?: string) =>
    links ? urls.samples({ run: run.id, section, verdict, sort }) : undefined;
  const bins = b.scores.map((s) => ({
    ...s,
    href: samples(s.nonCompliant ? "non-compliant" : "compliant", "score"),
  }));
  const bars: CountBar[] = [
    ...b.failureKinds.map((k) => ({
      id: `non-compliant:${k.kind}`,
      label: `non-compliant · ${k.kind}`,
      count: k.samples,
      kind: "non-compliant" as const,
      href: samples("non-compliant"),
    })),
    ...b.errors.map((k) => ({
      id: `error:${k.kind}`,
      label: `error · ${k.kind}`,
      count: k.samples,
      kind: "error" as const,
      href: samples("error"),
    })),
    ...b.ungraded.map((k) => ({
      id: `ungraded:${k.kind}`,
      label: `ungraded · ${k.kind}`,
      count: k.samples,
      kind: "ungraded" as const,
      href: samples("ungraded"),
    })),
  ];
  const scope = section ? html` of section <span class="mono">${section}</span>` : "";
  return html`<h2 id="scores">Scores and failures${scope}</h2>
${links ? picker(run, summary.bySection, b.section) : ""}
<div class="cols scores">${scoreHistogram(
    `Graded samples by median judge score (compliant at ${summary.grading.threshold} or above)`,
    bins,
  )}${countChart("Samples that did not pass, by failure kind or reason", bars, total)}</div>
<p class="muted">A non-compliant sample's failure kind is the one most of its usable grader samples named (mixed: a tie; unspecified: none named). Errors had no response; ungraded samples had too few usable judge answers.</p>`;
}
