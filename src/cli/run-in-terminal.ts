import type { ModelProgress, RunProgress } from "../runs/index.js";
import { progressReporter } from "./progress.js";

/**
 * Runs an eval, regrade or calibration from a terminal: Ctrl-C (or SIGTERM) becomes the run's AbortSignal — the
 * first stops it cleanly (finished samples are kept), a second quits at once with 130 — and progress goes to
 * stderr (a bar when `bar` is on and stderr is a terminal).
 */
export async function runInTerminal<T>(
  bar: boolean,
  work: (hooks: { signal: AbortSignal; onProgress: (p: RunProgress | ModelProgress) => void }) => Promise<T>,
): Promise<{ result: T; stopped: boolean }> {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(
      "\nmodelspec: stopping (Ctrl-C again to quit at once); finished samples are saved\n",
    );
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const progress = progressReporter(bar);
  try {
    const result = await work({ signal: controller.signal, onProgress: progress.onProgress });
    return { result, stopped: controller.signal.aborted };
  } finally {
    progress.stop();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
