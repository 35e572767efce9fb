import { median } from "../stats/index.js";
import type { Grade } from "./grade.js";
import { quorumOf } from "./verdict.js";

/** The verdict rule of a run, as far as when to stop drawing grader samples goes. */
interface StopRule {
  /** N: grader samples the verdict is out of, never exceeded. */
  graderSamples: number;
  threshold: number;
  quorum: number | null;
}

// The judge's scale (the answer schema's bounds): an answer still to come is any of these, or unusable.
const LOWEST = 1;
const HIGHEST = 7;

/**
 * Whether the verdict is settled by the usable scores drawn so far, with `remaining` grader samples not drawn:
 * every way those could answer (any score, or unusable) gives the same status and the same compliant flag.
 *
 * The median never rises when a score at the bottom of the scale is added or a score lowered, and never falls
 * when one at the top is added or a score raised. So, with at least the quorum usable already (graded whatever
 * comes), the lowest median the rest could give is with every one of them a 1, and the highest with every one
 * a 7: the flag is settled when both lie on the same side of the threshold. Below the quorum, the rest decide
 * between graded and ungraded unless even all of them usable could not reach it.
 */
function settled(scores: readonly number[], remaining: number, rule: StopRule): boolean {
  const quorum = quorumOf(rule.graderSamples, rule.quorum);
  if (scores.length + remaining < quorum) return true;
  if (scores.length < quorum) return false;
  const lowest = median([...scores, ...Array<number>(remaining).fill(LOWEST)]) ?? 0;
  const highest = median([...scores, ...Array<number>(remaining).fill(HIGHEST)]) ?? 0;
  return lowest >= rule.threshold || highest < rule.threshold;
}

/**
 * Early stopping of judge sampling: how many more grader samples to draw, given the answers drawn so far (in
 * the order asked); 0 when the verdict is settled or all N are drawn. It is the fewest further answers that
 * could settle it (fewer never can, so they are drawn together: 2 at once at N=3, 3 at N=5), so a sample never
 * waits on more rounds than it must and never draws one it could do without. A stop happens only when no
 * answer still to come could change the verdict's status (graded or ungraded) or its compliant flag, so the
 * early verdict's are those of all N (docs/judge.md, test/judge/early-stop.test.ts); its median is over what was
 * drawn.
 *
 * @example
 * const ok = (compliance: number) => ({ status: "ok" as const, compliance });
 * gradersToDraw([], { graderSamples: 3, threshold: 6, quorum: null }); // 2
 * gradersToDraw([ok(7), ok(6)], { graderSamples: 3, threshold: 6, quorum: null }); // 0: settled
 * gradersToDraw([ok(7), ok(2)], { graderSamples: 3, threshold: 6, quorum: null }); // 1
 */
export function gradersToDraw(
  drawn: readonly Pick<Grade, "status" | "compliance">[],
  rule: StopRule,
): number {
  const remaining = rule.graderSamples - drawn.length;
  if (remaining <= 0) return 0;
  const scores = drawn.flatMap((g) => (g.status === "ok" && g.compliance !== null ? [g.compliance] : []));
  if (settled(scores, remaining, rule)) return 0;
  // The answers most likely to settle it are all alike: all at the top (for compliant), all at the bottom (for
  // not), or all unusable (for ungraded); a mixed set settles nothing its pure counterpart would not.
  for (let more = 1; more < remaining; more++) {
    const left = remaining - more;
    if (
      settled([...scores, ...Array<number>(more).fill(HIGHEST)], left, rule) ||
      settled([...scores, ...Array<number>(more).fill(LOWEST)], left, rule) ||
      settled(scores, left, rule)
    ) {
      return more;
    }
  }
  return remaining;
}
