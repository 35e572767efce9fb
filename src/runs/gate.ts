import type { RunSummary } from "./summary.js";

/** How many samples may end as errors or ungraded: a count, or a rate of all samples. */
export type ErrorBudget = { count: number } | { rate: number };

export interface GateOptions {
  /** Overall compliance must be at least this (0–1). */
  failUnder?: number;
  /** Errors + ungraded allowed; 0 when `failUnder` is given and this is not. */
  maxErrors?: ErrorBudget;
}

/** Why a run does not pass: nothing was graded, samples are still pending, compliance is low, too many errors. */
export type GateFailure =
  | { gate: "nothing-graded"; samples: number; errors: number; ungraded: number }
  | { gate: "pending"; pending: number }
  | { gate: "fail-under"; rate: number | null; failUnder: number }
  | { gate: "max-errors"; errors: number; ungraded: number; samples: number; maxErrors: ErrorBudget };

/**
 * Checks a run against the CI gates; an empty list means it passed. A run that graded nothing never passes. With
 * a gate, samples still pending fail it, and so do more errors and ungraded samples than `maxErrors` allows
 * (none, unless said otherwise): compliance measured on what happened to be gradable is not earned.
 *
 * @example
 * const failures = checkGates(summary, { failUnder: 0.8, maxErrors: { rate: 0.02 } });
 * if (failures.length > 0) process.exitCode = 1;
 */
export function checkGates(summary: RunSummary, gates: GateOptions = {}): GateFailure[] {
  const failures: GateFailure[] = [];
  const { errors, ungraded, samples, pending } = summary;
  if (samples > 0 && summary.overall.graded === 0) {
    failures.push({ gate: "nothing-graded", samples, errors, ungraded });
  }
  const gated = gates.failUnder !== undefined || gates.maxErrors !== undefined;
  if (gated && pending > 0) failures.push({ gate: "pending", pending });
  if (gates.failUnder !== undefined && (summary.overall.rate ?? 0) < gates.failUnder) {
    failures.push({ gate: "fail-under", rate: summary.overall.rate, failUnder: gates.failUnder });
  }
  const budget = gates.maxErrors ?? (gates.failUnder !== undefined ? { count: 0 } : undefined);
  if (budget) {
    const unusable = errors + ungraded;
    const over =
      "count" in budget ? unusable > budget.count : samples > 0 && unusable / samples > budget.rate;
    if (over) failures.push({ gate: "max-errors", errors, ungraded, samples, maxErrors: budget });
  }
  return failures;
}
