import type { GroupRow, RunSummary } from "../runs/index.js";
import { decimal, excerpt, formatRate, formatReward, terminalText, tokens, usd } from "./format.js";
import { renderTable } from "./table.js";

/** How the report orders its groups: lowest rate first, the spec's order, or by id. */
export const SUMMARY_ORDERS = ["rate", "spec", "name"] as const;
type SummaryOrder = (typeof SUMMARY_ORDERS)[number];

export interface SummaryTextOptions {
  /** Group order (default `rate`: lowest compliance first, groups with nothing graded last). */
  sort?: SummaryOrder;
  /** Also the table of every section (long: one row per section). */
  allSections?: boolean;
}

const ORDER_CAPTION: Record<SummaryOrder, string> = {
  rate: "lowest rate first",
  spec: "in spec order",
  name: "by id",
};

/** Rows in the asked order. The summary's own order is the spec's; sorts are stable, so ties keep it. */
function sorted(rows: readonly GroupRow[], order: SummaryOrder): GroupRow[] {
  if (order === "spec") return [...rows];
  if (order === "name") return [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  // Nothing graded is not the worst rate: it is no rate, shown last.
  const rate = (r: GroupRow) => r.rate ?? 2;
  return [...rows].sort((a, b) => rate(a) - rate(b));
}

function groupTable(head: string, rows: GroupRow[], withTitle: boolean): string {
  return renderTable(
    [head, ...(withTitle ? ["title"] : []), "compliant", "rate [95% CI]", "ungraded", "errors"],
    rows.map((r) => [
      terminalText(r.id),
      // A fork's title may be long: clipped, so the table keeps to one screen's width.
      ...(withTitle ? [excerpt(terminalText(r.title ?? ""), 40)] : []),
      `${r.compliant}/${r.graded}`,
      formatRate(r.rate, r.ci95),
      r.ungraded,
      r.errors + (r.pending ? ` (+${r.pending} pending)` : ""),
    ]),
    {
      compact: true,
      align: [...(withTitle ? ["left" as const] : []), "left", "right", "left", "right", "right"],
    },
  );
}

/** How many grader samples a verdict's median is over: all N, or those drawn until it was settled. */
function verdictRule(g: RunSummary["grading"]): string {
  if (!g.earlyStop || g.graderSamples === 1) return `median of ${g.graderSamples} grader sample(s)`;
  const mean = g.meanDrawn === null ? "" : `, ${decimal(g.meanDrawn, 2)} drawn on average`;
  return `median of up to ${g.graderSamples} grader samples (early stop${mean})`;
}
const counts = (kinds: Record<string, number>) =>
  Object.entries(kinds)
    .map(([k, n]) => `${k} ${n}`)
    .join(", ");

/**
 * A safe-completion run's reward line (mean, interval, over what) and its counts line; none for other runs.
 * Shared with the Markdown summary: the words are fixed, nothing in them is untrusted.
 */
export function safeCompletionLines(s: RunSummary): [reward: string, counts: string] | [] {
  const r = s.safeCompletion;
  if (!r) return [];
  const over = `mean over ${r.prompts} prompt(s) of ${r.samples} graded sample(s)${r.clustered ? ", interval clustered by prompt" : ""}; −1 to 1`;
  return [
    `Safe-completion reward: ${formatReward(r.meanReward, r.ci95)}  (${over})`,
    `Severity: ${counts(r.bySeverity)}; helpfulness: ${counts(r.byHelpfulness)}`,
  ];
}

/**
 * The human report printed at the end of `modelspec eval` and by `modelspec report`, made to fit one screen:
 * overall compliance with its interval, what was graded and why the rest was not, the top-level sections with
 * their titles and the authority levels (lowest rate first unless `sort` says otherwise), tokens and cost. The
 * table of every section only with `allSections`.
 *
 * @example
 * console.log(renderSummary(await evaluate({ model: "openai:gpt-4.1-mini", judge: "openai:gpt-5" }), { sort: "spec" }));
 */
export function renderSummary(s: RunSummary, options: SummaryTextOptions = {}): string {
  const order = options.sort ?? "rate";
  const o = s.overall;
  const lines = [
    `Run ${s.runId} (${s.status}) — Model Spec ${s.spec.version ?? s.spec.hash.slice(0, 12)}, ${terminalText(s.dataset)}`,
    ...(s.label ? [`Label: ${excerpt(terminalText(s.label), 90)}`] : []),
    `model ${terminalText(s.model)}   judge ${terminalText(s.judge)}`,
    "",
    `Overall compliance: ${formatRate(o.rate, o.ci95)}  (${o.compliant} of ${o.graded} graded samples${o.clustered ? `, ${o.prompts} prompts; mean prompt score, interval clustered by prompt` : ""})`,
    `Samples ${s.samples}: graded ${o.graded}, ungraded ${s.ungraded} (too few usable judge answers), errors ${s.errors}${s.pending ? `, pending ${s.pending}` : ""}`,
  ];
  lines.push(...safeCompletionLines(s));
  if (s.ungraded > 0) lines.push(`Ungraded by reason: ${counts(s.ungradedKinds)}`);
  if (s.errors > 0) lines.push(`Errors by kind: ${counts(s.errorKinds)}`);
  lines.push(
    `Verdict: ${verdictRule(s.grading)}, compliant at ${s.grading.threshold} or above; ungraded under ${s.grading.quorum} usable answer(s)`,
  );
  const a = s.judgeAnswers;
  if (a.unparseable + a.refused + a.partiallyGraded > 0) {
    lines.push(
      `Judge answers: ${a.usable} usable, ${a.unparseable} unparseable, ${a.refused} refused; ${a.partiallyGraded} graded on fewer usable answers than drawn`,
    );
  }
  const caption = ORDER_CAPTION[order];
  lines.push(
    "",
    `By top-level section, ${caption}:`,
    groupTable("top-level section", sorted(s.byTopLevel, order), true),
    `By authority, ${order === "spec" ? "highest first" : caption}:`,
    groupTable("authority", sorted(s.byAuthority, order), false),
  );
  if (options.allSections) {
    lines.push(`By section, ${caption}:`, groupTable("section", sorted(s.bySection, order), false));
  } else if (s.bySection.length > 0) {
    lines.push(`${s.bySection.length} section(s) in this run: --all-sections lists each one.`);
  }
  const c = s.tokens.candidate;
  const j = s.tokens.judge;
  lines.push(
    "",
    `Tokens: candidate ${tokens(c.input)} in / ${tokens(c.output)} out; judge ${tokens(j.input)} in (${tokens(j.cachedInput)} cached) / ${tokens(j.output)} out`,
    `Estimated cost: candidate ${usd(s.estimatedCostUsd.candidate)}, judge ${usd(s.estimatedCostUsd.judge)} (list prices; see docs)`,
  );
  return lines.join("\n");
}
