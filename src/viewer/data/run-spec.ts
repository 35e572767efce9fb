import type { RunRecord } from "../../store/index.js";

/** Where a run's spec came from, as `--spec` would take it: the folder it was read from, or its release. */
export function runSpecSource(run: RunRecord): string | null {
  return (run.params.specSource as string | undefined) ?? run.specVersion;
}
