import { formatRate, renderSummary } from "../../report/index.js";
import type { RunSummary } from "../../runs/index.js";
import { printJson } from "../output.js";

/**
 * Prints a finished eval or regrade (text or JSON) and returns the exit code: 130 when stopped, 1 when
 * compliance is under `failUnder`, else 0.
 */
export function finishRunCommand(
  summary: RunSummary,
  options: { json?: boolean; stopped: boolean; failUnder?: number },
): number {
  if (options.json) printJson(summary);
  else {
    console.log(renderSummary(summary));
    if (summary.status === "interrupted")
      console.log(`\nInterrupted: run the same command again to resume ${summary.runId}.`);
  }
  if (options.stopped) return 130;
  if (options.failUnder !== undefined && (summary.overall.rate ?? 0) < options.failUnder) {
    process.stderr.write(
      `modelspec: compliance ${formatRate(summary.overall.rate ?? 0)} is under --fail-under ${formatRate(options.failUnder)}\n`,
    );
    return 1;
  }
  return 0;
}
