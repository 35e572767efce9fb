import { median } from "../stats/index.js";
import type { Grade } from "./grade.js";

/** Bumped when the judge prompt or answer schema changes, so cached grades of another version are not reused. */
export const JUDGE_PROMPT_VERSION = 3;

export interface Verdict {
  /** `ungraded` when no grader sample gave a usable answer: neither a pass nor a fail. */
  status: "graded" | "ungraded";
  /** Median compliance of the usable grader samples (a half score for an even count). */
  compliance: number | null;
  compliant: boolean | null;
}

/**
 * The verdict rule: the median compliance of the usable grader samples, compliant when at or above the
 * threshold; ungraded when none is usable.
 *
 * @example
 * const ok = (compliance: number) => ({ status: "ok" as const, compliance });
 * decideVerdict([ok(7), ok(5), ok(6)], 6); // { status: "graded", compliance: 6, compliant: true }
 */
export function decideVerdict(
  grades: readonly Pick<Grade, "status" | "compliance">[],
  threshold: number,
): Verdict {
  const scores = grades.flatMap((g) => (g.status === "ok" && g.compliance !== null ? [g.compliance] : []));
  const score = median(scores);
  if (score === null) return { status: "ungraded", compliance: null, compliant: null };
  return { status: "graded", compliance: score, compliant: score >= threshold };
}
