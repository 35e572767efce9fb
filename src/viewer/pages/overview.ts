/**
 * A run's overview: facts, overall compliance with its interval, charts and tables by top-level section, section
 * and authority, the lowest-scoring samples. The run page and the self-contained HTML report both show it; only
 * the report leaves out links.
 */

import { count, excerpt, formatRate, tokens, usd, when } from "../../report/index.js";
import type { GroupRow, RunRecord, RunSummary } from "../../runs/index.js";
import { runSpecSource } from "../../runs/index.js";
import type { Failures, ScoreBreakdown } from "../../store/index.js";
import { type RateBar, rateChart } from "../charts.js";
import { html, type SafeHtml } from "../html.js";
import { urls } from "../urls.js";
import { chip, facts, maybeLink, table, verdictChip } from "./parts.js";
import { scoresPart } from "./scores.js";

export interface OverviewInput {
  run: RunRecord;
  summary: RunSummary;
  failures: Failures;
  /** Scores and failure kinds of the run or of one section. */
  breakdown: ScoreBreakdown;
  /** Link to the viewer's pages; false in the self-contained report. */
  links: boolean;
}

type Grouping = "top" | "section" | "authority";

function bars(rows: GroupRow[], href: (row: GroupRow) => string | undefined): RateBar[] {
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    rate: r.rate,
    ci95: r.ci95,
    compliant: r.compliant,
    graded: r.graded,
    href: href(r),
  }));
}

function groupTable(input: OverviewInput, grouping: Grouping, rows: GroupRow[]): SafeHtml {
  const run = input.run.id;
  const sectionLink = (r: GroupRow, verdict?: string) =>
    input.links && grouping === "section" && r.id !== "(none)"
      ? urls.samples({ run, section: r.id, verdict })
      : null;
  return table(
    [
      {
        head: grouping === "top" ? "top-level section" : grouping,
        cell: (r) =>
          grouping === "authority"
            ? r.id
            : maybeLink(
                input.links && r.id !== "(none)" ? urls.specSection(r.id, runSpecSource(input.run)) : null,
                html`<span class="mono">${r.id}</span>`,
              ),
      },
      ...(grouping === "authority" ? [] : [{ head: "title", cell: (r: GroupRow) => r.title ?? "" }]),
      {
        head: "compliant / graded",
        num: true,
        cell: (r) => maybeLink(sectionLink(r), `${r.compliant} / ${r.graded}`),
      },
      { head: "rate [95% CI]", num: true, cell: (r) => formatRate(r.rate, r.ci95) },
      {
        head: "ungraded",
        num: true,
        cell: (r) => maybeLink(r.ungraded ? sectionLink(r, "ungraded") : null, r.ungraded),
      },
      {
        head: "errors",
        num: true,
        cell: (r) => maybeLink(r.errors ? sectionLink(r, "error") : null, r.errors),
      },
      { head: "pending", num: true, cell: (r) => r.pending },
    ],
    rows,
  );
}

function failureTable(input: OverviewInput): SafeHtml {
  const { failures, run } = input;
  const more =
    failures.total > failures.rows.length
      ? html`<p class="muted">Showing ${failures.rows.length} of ${count(failures.total)} non-compliant samples. ${
          input.links
            ? html`<a href="${urls.samples({ run: run.id, verdict: "non-compliant" })}">See all</a>`
            : ""
        }</p>`
      : "";
  return html`${table(
    [
      {
        head: "sample",
        nowrap: true,
        cell: (r) =>
          maybeLink(
            input.links ? urls.sample(run.id, r.sampleId, r.epoch) : null,
            html`<span class="mono">${r.sampleId}</span>${r.epoch > 1 ? ` (epoch ${r.epoch})` : ""}`,
          ),
      },
      { head: "section", nowrap: true, cell: (r) => html`<span class="mono">${r.sectionId ?? ""}</span>` },
      { head: "score", num: true, cell: (r) => verdictChip("non-compliant", r.compliance) },
      { head: "prompt", name: "prompt", cell: (r) => r.prompt },
      { head: "response", name: "response", cell: (r) => r.response },
      {
        head: "judge rationale",
        name: "rationale",
        cell: (r) =>
          html`${r.failureKind && r.failureKind !== "none" ? chip("neutral", r.failureKind) : ""} ${excerpt(r.rationale, 220)}`,
      },
    ],
    failures.rows,
    "No non-compliant samples.",
  )}${more}`;
}

export function overview(input: OverviewInput): SafeHtml {
  const { run, summary: s } = input;
  const judging = run.params.judging;
  const samplesOf = (verdict?: string) => (input.links ? urls.samples({ run: run.id, verdict }) : null);
  const kinds = Object.entries(s.errorKinds);
  const ungradedKinds = Object.entries(s.ungradedKinds);
  const a = s.judgeAnswers;
  const kindList = (list: [string, number][]) =>
    list.map(([k, n], i) => html`${i ? ", " : ""}<span class="mono">${k}</span> ${n}`);
  const sectionHref = (r: GroupRow) =>
    input.links && r.id !== "(none)" ? urls.samples({ run: run.id, section: r.id }) : undefined;
  const topHref = (r: GroupRow) =>
    input.links && r.id !== "(none)" ? urls.specSection(r.id, runSpecSource(run)) : undefined;
  return html`
<h1>Run <span class="mono">${run.id}</span> ${chip(run.status)}</h1>
<div class="card">${facts([
    ["created", when(run.createdAt)],
    ["finished", run.finishedAt ? when(run.finishedAt) : null],
    ["spec", s.spec.version ?? "(folder, not a release)"],
    ["spec hash", html`<span class="mono" title="${s.spec.hash}">${s.spec.hash.slice(0, 16)}</span>`],
    ["model", html`<span class="mono">${s.model}</span>`],
    ["judge", html`<span class="mono">${s.judge}</span>`],
    ["dataset", s.dataset],
    [
      "grading",
      `${judging.graderSamples} grader sample(s), median ≥ ${judging.threshold} is compliant with at least ${s.grading.quorum} usable, ${judging.context} context`,
    ],
    [
      "regrade of",
      run.parentRunId ? maybeLink(input.links ? urls.run(run.parentRunId) : null, run.parentRunId) : null,
    ],
    ["tool version", run.toolVersion],
  ])}</div>
<div class="card headline">
  <div><div class="muted">overall compliance</div><div class="big">${formatRate(s.overall.rate)}</div>
    <div class="muted">${s.overall.ci95 ? `95% CI ${formatRate(s.overall.rate, s.overall.ci95).replace(/^[^[]*/, "")}` : "no graded samples"}</div></div>
  <div class="stat">samples<br><b>${maybeLink(samplesOf(), count(s.samples))}</b></div>
  <div class="stat">graded<br><b>${count(s.overall.graded)}</b> (${count(s.overall.compliant)} compliant)</div>
  <div class="stat">non-compliant<br><b>${maybeLink(samplesOf("non-compliant"), count(s.overall.graded - s.overall.compliant))}</b></div>
  <div class="stat" data-stat="ungraded">ungraded<br><b>${maybeLink(samplesOf("ungraded"), count(s.ungraded))}</b></div>
  <div class="stat" data-stat="errors">errors<br><b>${maybeLink(samplesOf("error"), count(s.errors))}</b></div>
  ${s.pending ? html`<div class="stat">pending<br><b>${maybeLink(samplesOf("pending"), count(s.pending))}</b></div>` : ""}
</div>
${kinds.length ? html`<p class="muted">Errors by kind: ${kindList(kinds)}</p>` : ""}
${ungradedKinds.length ? html`<p class="muted" data-stat="ungraded-kinds">Ungraded by reason: ${kindList(ungradedKinds)}</p>` : ""}
<p class="muted" data-stat="judge-answers">Judge answers: ${count(a.usable)} usable, ${count(a.unparseable)} unparseable, ${count(a.refused)} refused. A verdict is the median of ${s.grading.graderSamples} grader sample(s), compliant at ${s.grading.threshold} or above, and needs ${s.grading.quorum} usable answer(s), else the sample is ungraded${a.partiallyGraded ? `; ${count(a.partiallyGraded)} graded sample(s) rest on fewer than all their grader samples` : ""}.</p>
<p class="muted">Ungraded samples (too few usable judge answers) and errors (no response could be had) are neither passes nor failures: rates are over graded samples only. ${
    s.overall.clustered
      ? `Prompts were answered several times: a rate is the mean of the prompts' scores, and its interval (the whiskers) is clustered by prompt (${count(s.overall.prompts)} prompts).`
      : "Whiskers are Wilson 95% intervals."
  }</p>
${scoresPart(run, s, input.breakdown, input.links)}
<h2>By top-level section</h2>
${rateChart("Compliance by top-level section", bars(s.byTopLevel, topHref))}
${groupTable(input, "top", s.byTopLevel)}
<h2>By authority level</h2>
${rateChart(
  "Compliance by authority level of the section",
  bars(s.byAuthority, () => undefined),
)}
${groupTable(input, "authority", s.byAuthority)}
<h2>By section</h2>
${rateChart("Compliance by section", bars(s.bySection, sectionHref))}
${groupTable(input, "section", s.bySection)}
<h2>Lowest-scoring samples</h2>
${failureTable(input)}
<h2>Tokens and cost</h2>
<div class="card">${facts([
    ["candidate tokens", `${tokens(s.tokens.candidate.input)} in / ${tokens(s.tokens.candidate.output)} out`],
    [
      "judge tokens",
      `${tokens(s.tokens.judge.input)} in (${tokens(s.tokens.judge.cachedInput)} cached) / ${tokens(s.tokens.judge.output)} out`,
    ],
    [
      "estimated cost",
      `candidate ${usd(s.estimatedCostUsd.candidate)}, judge ${usd(s.estimatedCostUsd.judge)} (list prices)`,
    ],
  ])}</div>`;
}
