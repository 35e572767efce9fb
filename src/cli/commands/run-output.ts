import { type Command, Option } from "commander";
import {
  renderGateFailure,
  renderSummary,
  SUMMARY_ORDERS,
  type SummaryTextOptions,
} from "../../report/index.js";
import { checkGates, type GateOptions, type RunSummary } from "../../runs/index.js";
import { printJson } from "../output.js";

/** How the text report is laid out, as the flags of eval, regrade and report give it. */
export interface ReportFlags {
  sort: NonNullable<SummaryTextOptions["sort"]>;
  allSections?: boolean;
}

/** The text report's flags: --sort and --all-sections. */
export function addReportOptions(command: Command): Command {
  return command
    .addOption(
      new Option("--sort <order>", "report order: rate (lowest first), spec (spec order), name (by id)")
        .choices(SUMMARY_ORDERS)
        .default("rate"),
    )
    .option("--all-sections", "the report also lists every section (long), not only the top-level ones");
}

/** The text report as the flags ask for it. */
export function summaryText(summary: RunSummary, flags: ReportFlags): string {
  return renderSummary(summary, { sort: flags.sort, allSections: flags.allSections });
}

/**
 * Prints a finished eval or regrade (text or JSON) and returns the exit code: 130 when stopped, 1 when a gate
 * fails (nothing graded; with --fail-under or --max-errors: compliance, errors, pending), else 0.
 */
export function finishRunCommand(
  summary: RunSummary,
  options: { json?: boolean; stopped: boolean } & GateOptions & ReportFlags,
): number {
  if (options.json) printJson(summary);
  else {
    console.log(summaryText(summary, options));
    if (summary.status === "interrupted")
      console.log(`\nInterrupted: run the same command again to resume ${summary.runId}.`);
  }
  if (options.stopped) return 130;
  const failures = checkGates(summary, options);
  for (const failure of failures) process.stderr.write(`modelspec: ${renderGateFailure(failure)}\n`);
  return failures.length > 0 ? 1 : 0;
}
