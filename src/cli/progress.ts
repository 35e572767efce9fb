import cliProgress from "cli-progress";
import { estimateLine } from "../report/index.js";
import type { ModelProgress, RunProgress } from "../runs/index.js";

/**
 * What a run shows while it works, on stderr so `--json` output on stdout stays one document: a first line
 * naming the run with its cost estimate, then a progress bar (done/total, rate, ETA, tokens, errors) when `bar`
 * is on and stderr is a terminal, so logs and CI output stay clean. Runs of several models follow one another,
 * each announced with its model ("[2/3 openai:gpt-4.1] Starting run-…").
 */
export function progressReporter(bar: boolean): {
  onProgress: (p: RunProgress | ModelProgress) => void;
  stop: () => void;
} {
  let progress: cliProgress.SingleBar | null = null;
  let started = 0;
  let doneAtStart = 0;
  let runId = "";
  return {
    onProgress(p) {
      if (p.runId !== runId) {
        progress?.stop();
        progress = null;
        started = 0;
        runId = p.runId;
      }
      if (started === 0) {
        started = Date.now();
        doneAtStart = p.done;
        const which = "model" in p && p.models > 1 ? `[${p.position}/${p.models} ${p.model}] ` : "";
        const estimate = p.estimate ? `; ${p.resumed ? "whole run's " : ""}${estimateLine(p.estimate)}` : "";
        process.stderr.write(
          `${which}${p.resumed ? "Resuming" : "Starting"} ${p.runId}: ${p.total} samples${p.done ? `, ${p.done} already done` : ""}${estimate}\n`,
        );
        if (!bar || !process.stderr.isTTY) return;
        progress = new cliProgress.SingleBar(
          {
            stream: process.stderr,
            format:
              "{bar} {value}/{total} | {speed}/s | ETA {eta_formatted} | tokens {tokens} | errors {errors}",
            hideCursor: true,
            etaBuffer: 50,
          },
          cliProgress.Presets.shades_classic,
        );
        progress.start(p.total, p.done, { speed: "0.0", tokens: 0, errors: 0 });
        return;
      }
      const seconds = (Date.now() - started) / 1000;
      progress?.update(p.done, {
        speed: ((p.done - doneAtStart) / Math.max(seconds, 0.001)).toFixed(1),
        tokens: p.inputTokens + p.outputTokens,
        errors: p.errors,
      });
    },
    stop() {
      progress?.stop();
    },
  };
}
