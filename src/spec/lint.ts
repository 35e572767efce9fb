import type { Diagnostic } from "./diagnostics.js";
import { compileSpecDir } from "./load.js";

/** Every problem found in a spec, counted by severity: what `modelspec spec lint --json` prints. */
export interface LintResult {
  errors: number;
  warnings: number;
  findings: Diagnostic[];
}

/**
 * Checks a spec folder (e.g. a fork) or a cached release: every problem with its file and line. Unlike
 * `loadSpec`, errors are returned, not thrown.
 *
 * @example
 * const { errors, findings } = lintSpec("./my-fork");
 * for (const d of findings) console.log(formatDiagnostic(d));
 */
export function lintSpec(dirOrVersion: string): LintResult {
  const { diagnostics } = compileSpecDir(dirOrVersion);
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  return { errors, warnings: diagnostics.length - errors, findings: diagnostics };
}
