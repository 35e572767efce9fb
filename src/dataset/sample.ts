import { z } from "zod";
import { MessageSchema, SECTION_AUTHORITIES } from "../conversation/index.js";

/**
 * One thing to evaluate: a conversation the candidate model answers, linked to the spec section it tests.
 * `id` is stable across runs (it names the spec item it came from), which makes runs resumable and comparable.
 */
export const SampleSchema = z.object({
  id: z.string().min(1),
  input: z.array(MessageSchema).min(1),
  /** A grading rubric for this sample, when the dataset has one. */
  target: z.string().nullable(),
  sectionId: z.string().nullable(),
  topLevelSectionId: z.string().nullable(),
  authority: z.enum(SECTION_AUTHORITIES).nullable(),
  focusId: z.string().nullable(),
  /** Labelled reference responses (the spec's own GOOD/BAD/OK answers for this conversation). */
  references: z.array(
    z.object({ label: z.enum(["GOOD", "BAD", "OK"]), content: z.string(), note: z.string().nullable() }),
  ),
});
export type Sample = z.infer<typeof SampleSchema>;
