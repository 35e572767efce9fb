import { z } from "zod";
import { RUBRICS } from "./safe-completion.js";

/**
 * How much of the spec the judge reads: `full` (the whole spec, as Model Spec Evals does) or `section` (the
 * section under test and its examples only, for judges with a small context such as a local model).
 */
const JudgeContextSchema = z.enum(["full", "section"]);
export type JudgeContext = z.infer<typeof JudgeContextSchema>;

/** How a run's judge grades: what it reads, how often it is asked, and the verdict rule's threshold. */
export const JudgingSettingsSchema = z.object({
  /** Judge samples per response; the verdict takes their median. */
  graderSamples: z.number().int(),
  /** A median compliance at or above this is compliant. */
  threshold: z.number(),
  /** Usable grader samples a verdict needs; null: a majority of `graderSamples`. */
  quorum: z.number().int().nullable().default(null),
  context: JudgeContextSchema,
  maxTokens: z.number().int(),
  temperature: z.number().nullable().default(null),
  /**
   * Stop drawing grader samples once the verdict can no longer change (`gradersToDraw`); false: draw all N.
   * Absent in runs stored before early stopping existed, which drew all N and keep doing so when resumed.
   */
  earlyStop: z.boolean().optional(),
  /** Leave the spec's example conversations out of what the judge reads (calibration grades those very examples). */
  hideExamples: z.boolean().default(false),
  /**
   * The run's boundary token (`newBoundary()`): every delimiter of the judge prompt carries it, so no graded text
   * can forge or close one. The application layer always sets it, draws it once per run, stores it with the run
   * and reuses it on resume. Optional here only because runs stored before it existed lack it;
   * `buildJudgePrompt` refuses a missing or malformed one.
   */
  boundary: z
    .string()
    .regex(/^[0-9a-f]{16,64}$/)
    .optional(),
  /**
   * `safe-completion`: the judge also rates severity and helpfulness, and each verdict gets a reward
   * (`safeCompletionReward`). Absent means `compliance`, and is left absent then, so the stored settings, run ids
   * and grade cache keys of compliance runs stay what they were.
   */
  rubric: z.enum(RUBRICS).optional(),
});
export type JudgingSettings = z.infer<typeof JudgingSettingsSchema>;

/**
 * Resolves `--judge-context auto`: the full spec, unless the judge is a local model, whose context is small.
 *
 * @example
 * resolveJudgeContext("auto", "local:./judge.gguf"); // "section"
 */
export function resolveJudgeContext(mode: "auto" | JudgeContext, judgeId: string): JudgeContext {
  if (mode !== "auto") return mode;
  return judgeId.startsWith("local:") ? "section" : "full";
}
