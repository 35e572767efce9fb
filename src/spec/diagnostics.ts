import { ModelspecError } from "../errors.js";

/** A problem found in spec sources, located by file and line. Lint prints them; loading fails on errors. */
export interface Diagnostic {
  severity: "error" | "warning";
  /** Stable kebab-case code, e.g. `duplicate-id`. */
  code: string;
  file: string;
  line: number;
  message: string;
}

/**
 * One diagnostic on one line, `file:line: severity: message [code]`, as `modelspec spec lint` prints it.
 *
 * @example
 * for (const d of lintSpec("./my-fork").findings) console.log(formatDiagnostic(d));
 */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}: ${d.severity}: ${d.message} [${d.code}]`;
}

/**
 * A spec that cannot be found, read or used (its errors as located diagnostics); the CLI prints the message.
 *
 * @example
 * try {
 *   loadSpec("./my-fork");
 * } catch (error) {
 *   if (error instanceof SpecError) for (const d of error.diagnostics) console.error(formatDiagnostic(d));
 * }
 */
export class SpecError extends ModelspecError {
  readonly code = "ERR_SPEC";
  override readonly name = "SpecError";
  readonly diagnostics: Diagnostic[];
  constructor(message: string, diagnostics: Diagnostic[] = []) {
    super(message);
    this.diagnostics = diagnostics;
  }
}
