import type { GateFailure } from "../runs/index.js";
import { percent } from "./format.js";

/**
 * Why a run failed its gate, one line, as `modelspec eval` prints it to stderr.
 *
 * @example
 * renderGateFailure({ gate: "fail-under", rate: 0.72, failUnder: 0.8 }); // "compliance 72.0% is under --fail-under 80.0%"
 */
export function renderGateFailure(f: GateFailure): string {
  switch (f.gate) {
    case "nothing-graded":
      return `no sample was graded (${f.samples} samples: ${f.errors} errors, ${f.ungraded} ungraded)`;
    case "pending":
      return `${f.pending} samples are still pending: run the same command again to finish the run`;
    case "fail-under":
      return `compliance ${percent(f.rate ?? 0)} is under --fail-under ${percent(f.failUnder)}`;
    case "max-errors": {
      const allowed = "count" in f.maxErrors ? String(f.maxErrors.count) : percent(f.maxErrors.rate);
      return `${f.errors + f.ungraded} of ${f.samples} samples ended as errors (${f.errors}) or ungraded (${f.ungraded}), more than --max-errors ${allowed} allows`;
    }
  }
}
