import cliProgress from "cli-progress";
import type { ProgressState } from "./run-eval.js";

/**
 * A progress bar on stderr (done/total, rate, ETA, tokens, errors) when stderr is a terminal; silent otherwise
 * so logs and CI output stay clean. Returns the update function and a stop function.
 */
export function attachProgressBar(total: number, done: number, enabled: boolean) {
  if (!enabled || !process.stderr.isTTY) return { update: (_: ProgressState) => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: "{bar} {value}/{total} | {speed}/s | ETA {eta_formatted} | tokens {tokens} | errors {errors}",
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  bar.start(total, done, { speed: "0.0", tokens: 0, errors: 0 });
  return {
    update: (s: ProgressState) => {
      const seconds = (Date.now() - started) / 1000;
      bar.update(s.done, {
        speed: ((s.done - done) / Math.max(seconds, 0.001)).toFixed(1),
        tokens: s.inputTokens + s.outputTokens,
        errors: s.errors,
      });
    },
    stop: () => bar.stop(),
  };
}
