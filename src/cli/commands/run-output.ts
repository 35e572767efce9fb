import { renderGateFailure, renderSummary } from "../../report/index.js";
import {
  checkGates,
  type GateOptions,
  openResults,
  type Results,
  type RunSummary,
} from "../../runs/index.js";
import { printJson } from "../output.js";
import { emitReport, type OutputFormat } from "./report-output.js";

/**
 * Prints a finished eval or regrade (text or JSON) and returns the exit code: 130 when stopped, 1 when a gate
 * fails (nothing graded; with --fail-under or --max-errors: compliance, errors, pending), else 0.
 */
export function finishRunCommand(
  summary: RunSummary,
  options: { json?: boolean; stopped: boolean } & GateOptions,
): number {
  if (options.json) printJson(summary);
  else {
    console.log(renderSummary(summary));
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
