/**
 * Which answers `data sft` keeps: compliant by the judge's verdict, and citing only sections that exist and that
 * the judge's grading rests on (a section the judge relied on, or an ancestor of one).
 */
import type { GradeOutcome } from "../runner/index.js";
import type { SpecModel } from "../spec/index.js";

/** Why a prompt yields no training line. */
export const DROP_REASONS = [
  "generator_invalid",
  "generator_error",
  "judge_error",
  "ungraded",
  "non_compliant",
  "unknown_citation",
  "unsupported_citation",
] as const;
export type DropReason = (typeof DROP_REASONS)[number];

/** A section id as models write it (`#chain_of_command`, ` chain_of_command `) without the `#` and spaces. */
export const sectionIdOf = (id: string): string => id.trim().replace(/^#/, "").trim();

/** The section ids the usable grades relied on, each once, in order of first mention. */
export function reliedOn(outcome: Pick<GradeOutcome, "grades">): string[] {
  const ids = outcome.grades.filter((g) => g.status === "ok").flatMap((g) => g.reliedOn.map(sectionIdOf));
  return [...new Set(ids)].filter((id) => id !== "");
}

/**
 * Why an answer the judge gave a verdict on is dropped, or null when it is kept. Compliance first: a non-compliant or ungraded answer
 * is dropped for that whatever it cites. Then every cited id must be a section of the spec (else
 * `unknown_citation`) and one the judge relied on or an ancestor of one (else `unsupported_citation`).
 */
export function dropReason(
  spec: SpecModel,
  outcome: Extract<GradeOutcome, { status: "verdict" }>,
  cited: readonly string[],
): Exclude<DropReason, "generator_invalid" | "generator_error" | "judge_error"> | null {
  if (outcome.verdict.status !== "graded") return "ungraded";
  if (!outcome.verdict.compliant) return "non_compliant";
  const parents = new Map(spec.sections.map((s) => [s.id, s.parentId]));
  if (cited.some((id) => !parents.has(id))) return "unknown_citation";
  const supported = new Set<string>();
  for (const id of reliedOn(outcome)) {
    // The relied-on section and its ancestors; a fork may name a section its own ancestor: stop at a repeat.
    for (let at: string | null | undefined = id; at && !supported.has(at); at = parents.get(at)) {
      supported.add(at);
    }
  }
  return cited.every((id) => supported.has(id)) ? null : "unsupported_citation";
}
