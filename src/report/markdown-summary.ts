import { checkGates, type GateOptions, type GroupRow, type RunSummary } from "../runs/index.js";
import { formatRate, percent } from "./format.js";
import { renderGateFailure } from "./gate-text.js";
import { markdownText as md } from "./markdown-text.js";
import { safeCompletionLines } from "./summary-text.js";

/** How many of the lowest-scoring top-level sections a summary lists. */
const WORST_SECTIONS = 3;

/**
 * A compact Markdown summary of one or more runs, for a pull-request comment or `$GITHUB_STEP_SUMMARY`: per run
 * the overall compliance with its 95% interval, graded/ungraded/error counts, the few lowest-scoring top-level
 * sections and the gate result with why (`gates` as given to `checkGates`). Every name in it is escaped for
 * Markdown. With several runs, a table of all of them comes first.
 *
 * @example
 * const summary = summarizeRun({ db: ".modelspec/results.db", run: "latest" });
 * writeFileSync("summary.md", renderMarkdownSummary([summary], { failUnder: 0.8 }));
 */
export function renderMarkdownSummary(summaries: readonly RunSummary[], gates: GateOptions = {}): string {
  const lines: string[] = [];
  const first = summaries[0];
  if (first === undefined) return "## modelspec\n\nNo runs.\n";
  const spec = first.spec.version ?? first.spec.hash.slice(0, 12);
  lines.push(`## modelspec: Model Spec ${md(spec)}, ${md(first.dataset)}, judge ${md(first.judge)}`, "");
  if (summaries.length > 1) {
    lines.push(
      "| model | compliance [95% CI] | graded | ungraded | errors | gate |",
      "| --- | --- | --- | --- | --- | --- |",
      ...summaries.map(
        (s) =>
          `| ${md(s.model)} | ${formatRate(s.overall.rate, s.overall.ci95)} | ${s.overall.graded} | ${s.ungraded} | ${s.errors} | ${checkGates(s, gates).length === 0 ? "passed" : "**failed**"} |`,
      ),
      "",
    );
  }
  for (const s of summaries) lines.push(...runBlock(s, gates, summaries.length > 1), "");
  return `${lines.join("\n").trimEnd()}\n`;
}

function runBlock(s: RunSummary, gates: GateOptions, titled: boolean): string[] {
  const lines = titled ? [`### ${md(s.model)}`, ""] : [];
  const status = s.status === "completed" ? "" : ` (${s.status})`;
  lines.push(
    `**Overall compliance: ${formatRate(s.overall.rate, s.overall.ci95)}** (${s.overall.compliant} of ${s.overall.graded} graded samples${s.overall.clustered ? `, ${s.overall.prompts} prompts, interval clustered by prompt` : ""}), model ${md(s.model)}, run ${md(s.runId)}${status}`,
    "",
    `Samples ${s.samples}: graded ${s.overall.graded}, ungraded ${s.ungraded}, errors ${s.errors}${s.pending ? `, pending ${s.pending}` : ""}`,
    "",
    ...safeCompletionLines(s).flatMap((line) => [line, ""]),
  );
  const worst = worstSections(s.byTopLevel);
  if (worst.length > 0) {
    lines.push(
      "| lowest top-level sections | compliance [95% CI] | compliant |",
      "| --- | --- | --- |",
      ...worst.map(
        (r) =>
          `| ${md(r.title ? `${r.title} (${r.id})` : r.id)} | ${formatRate(r.rate, r.ci95)} | ${r.compliant}/${r.graded} |`,
      ),
      "",
    );
  }
  lines.push(gateLine(s, gates));
  return lines;
}

/** The top-level sections with a rate, lowest first (ties: the lower upper bound, then the id). */
function worstSections(rows: readonly GroupRow[]): GroupRow[] {
  return rows
    .filter((r): r is GroupRow & { rate: number } => r.rate !== null)
    .sort((a, b) => a.rate - b.rate || (a.ci95?.[1] ?? 0) - (b.ci95?.[1] ?? 0) || a.id.localeCompare(b.id))
    .slice(0, WORST_SECTIONS);
}

function gateLine(s: RunSummary, gates: GateOptions): string {
  const failures = checkGates(s, gates);
  if (failures.length > 0) {
    return `**Gate failed**: ${failures.map((f) => md(renderGateFailure(f))).join("; ")}`;
  }
  const set: string[] = [];
  if (gates.failUnder !== undefined) set.push(`--fail-under ${percent(gates.failUnder)}`);
  const budget = gates.maxErrors ?? (gates.failUnder !== undefined ? { count: 0 } : undefined);
  if (budget) {
    set.push(`--max-errors ${"count" in budget ? budget.count : percent(budget.rate)}`);
  }
  return set.length > 0 ? `Gate passed: ${md(set.join(", "))}` : "No gate set (--fail-under, --max-errors)";
}
