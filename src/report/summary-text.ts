import type { GroupRow, RunSummary } from "../runs/index.js";
import { decimal, formatRate, tokens, usd } from "./format.js";
import { renderTable } from "./table.js";

function groupTable(title: string, rows: GroupRow[], withTitle: boolean): string {
  const head = [title, ...(withTitle ? ["title"] : []), "compliant", "rate [95% CI]", "ungraded", "errors"];
  return renderTable(
    head,
    rows.map((r) => [
      r.id,
      ...(withTitle ? [r.title ?? ""] : []),
      `${r.compliant}/${r.graded}`,
      formatRate(r.rate, r.ci95),
      r.ungraded,
      r.errors + (r.pending ? ` (+${r.pending} pending)` : ""),
    ]),
  );
}

/** How many grader samples a verdict's median is over: all N, or those drawn until it was settled. */
function verdictRule(g: RunSummary["grading"]): string {
  if (!g.earlyStop || g.graderSamples === 1) return `median of ${g.graderSamples} grader sample(s)`;
  const mean = g.meanDrawn === null ? "" : `; ${decimal(g.meanDrawn, 2)} drawn per sample`;
  return `median of the grader samples drawn (up to ${g.graderSamples}, stopping once the verdict could not change${mean})`;
}

/**
 * The human report printed at the end of `modelspec eval` and by `modelspec report`: overall compliance with its
 * interval, counts of ungraded and errors, tables by top-level section, authority and section, tokens and cost.
 *
 * @example
 * console.log(renderSummary(await evaluate({ model: "openai:gpt-4.1-mini", judge: "openai:gpt-5" })));
 */
export function renderSummary(s: RunSummary, options: { sections?: boolean } = {}): string {
  const lines = [
    `Run ${s.runId} (${s.status}) — Model Spec ${s.spec.version ?? s.spec.hash.slice(0, 12)}, ${s.dataset}`,
    `model ${s.model}   judge ${s.judge}`,
    "",
    `Overall compliance: ${formatRate(s.overall.rate, s.overall.ci95)}  (${s.overall.compliant} of ${s.overall.graded} graded samples${s.overall.clustered ? `, ${s.overall.prompts} prompts; mean prompt score, interval clustered by prompt` : ""})`,
    `Samples ${s.samples}: graded ${s.overall.graded}, ungraded ${s.ungraded} (too few usable judge answers), errors ${s.errors}${s.pending ? `, pending ${s.pending}` : ""}`,
    `Verdict: ${verdictRule(s.grading)}, compliant at ${s.grading.threshold} or above, at least ${s.grading.quorum} usable answer(s) else ungraded`,
  ];
  const list = (kinds: Record<string, number>) =>
    Object.entries(kinds)
      .map(([k, n]) => `${k} ${n}`)
      .join(", ");
  if (s.ungraded > 0) lines.push(`Ungraded by reason: ${list(s.ungradedKinds)}`);
  if (s.errors > 0) lines.push(`Errors by kind: ${list(s.errorKinds)}`);
  const a = s.judgeAnswers;
  if (a.unparseable + a.refused + a.partiallyGraded > 0) {
    lines.push(
      `Judge answers: ${a.usable} usable, ${a.unparseable} unparseable, ${a.refused} refused; ${a.partiallyGraded} graded sample(s) rest on fewer usable answers than grader samples drawn`,
    );
  }
  lines.push(
    "",
    groupTable("top-level section", s.byTopLevel, true),
    "",
    groupTable("authority", s.byAuthority, false),
  );
  if (options.sections !== false) lines.push("", groupTable("section", s.bySection, false));
  const c = s.tokens.candidate;
  const j = s.tokens.judge;
  lines.push(
    "",
    `Tokens: candidate ${tokens(c.input)} in / ${tokens(c.output)} out; judge ${tokens(j.input)} in (${tokens(j.cachedInput)} cached) / ${tokens(j.output)} out`,
    `Estimated cost: candidate ${usd(s.estimatedCostUsd.candidate)}, judge ${usd(s.estimatedCostUsd.judge)} (list prices; see docs)`,
  );
  return lines.join("\n");
}
