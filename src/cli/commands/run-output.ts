import { type Command, Option } from "commander";
import {
  renderGateFailure,
  renderSummary,
  SUMMARY_ORDERS,
  type SummaryTextOptions,
} from "../../report/index.js";
import {
  checkGates,
  type GateOptions,
  openResults,
  type Results,
  type RunSummary,
} from "../../runs/index.js";
import { printJson } from "../output.js";
import { emitReport, type OutputFormat } from "./report-output.js";

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
function summaryText(summary: RunSummary, flags: ReportFlags): string {
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

/**
 * Reports the runs of an eval (one per model) in the asked format and returns the exit code: 130 when stopped,
 * 1 when any run fails a gate (each failure named by its model when there are several), else 0.
 */
export async function finishEvalCommand(
  summaries: RunSummary[],
  options: {
    models: string[];
    format: OutputFormat;
    output?: string;
    db: string;
    stopped: boolean;
    gates: GateOptions;
    layout: ReportFlags;
  },
): Promise<number> {
  const notes: string[] = [];
  const interrupted = summaries.filter((s) => s.status === "interrupted").map((s) => s.runId);
  const notStarted = options.models.slice(summaries.length);
  if (interrupted.length > 0 || notStarted.length > 0) {
    notes.push(
      `Interrupted: run the same command again to resume ${interrupted.join(", ")}${notStarted.length > 0 ? ` (not started: ${notStarted.join(", ")})` : ""}.`,
    );
  }
  let results: Results | undefined;
  try {
    await emitReport(summaries, {
      format: options.format,
      output: options.output,
      gates: options.gates,
      results: () => {
        results ??= openResults(options.db);
        return results;
      },
      notes,
      layout: { sort: options.layout.sort, allSections: options.layout.allSections },
    });
  } finally {
    results?.close();
  }
  if (options.stopped) return 130;
  let failed = false;
  for (const summary of summaries) {
    const who = summaries.length > 1 ? `${summary.model}: ` : "";
    for (const failure of checkGates(summary, options.gates)) {
      process.stderr.write(`modelspec: ${who}${renderGateFailure(failure)}\n`);
      failed = true;
    }
  }
  return failed ? 1 : 0;
}
