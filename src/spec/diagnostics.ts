/** A problem found in spec sources, located by file and line. Lint prints them; loading fails on errors. */
export interface Diagnostic {
  severity: "error" | "warning";
  /** Stable kebab-case code, e.g. `duplicate-id`. */
  code: string;
  file: string;
  line: number;
  message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}: ${d.severity}: ${d.message} [${d.code}]`;
}

/** Raised for spec input a user must fix; the CLI prints the message alone, never a stack. */
export class SpecError extends Error {
  readonly diagnostics: Diagnostic[];
  constructor(message: string, diagnostics: Diagnostic[] = []) {
    super(message);
    this.name = "SpecError";
    this.diagnostics = diagnostics;
  }
}
