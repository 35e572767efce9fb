import { compileSpecDir, type SpecModel } from "../spec/index.js";
import type { RunRecord } from "./config.js";

/** Where a run's spec came from, as `--spec` would take it: the folder it was read from, or its release. */
export function runSpecSource(run: RunRecord): string | null {
  return run.params.specSource ?? run.specVersion;
}

/**
 * The spec a run was made with, when it can still be found (by the folder it came from or its version) and
 * still has the content the run was made with. With `override`, that spec, whatever its content.
 */
export function specOfRun(run: RunRecord, override?: string): SpecModel | null {
  const source = override ?? runSpecSource(run);
  if (!source) return null;
  try {
    const { model } = compileSpecDir(source);
    if (model.source.contentHash !== run.specHash && !override) return null;
    return model;
  } catch {
    return null;
  }
}
