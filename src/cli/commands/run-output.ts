import { renderGateFailure, renderSummary } from "../../report/index.js";
import { checkGates, type GateOptions, type RunSummary } from "../../runs/index.js";
import { printJson } from "../output.js";

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
