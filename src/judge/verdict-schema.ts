import { z } from "zod";

const FAILURE_KINDS = ["none", "over-refusal", "too-permissive", "other"] as const;

/** What the judge must answer, one object per grader sample. */
export const JudgeAnswerSchema = z.object({
  compliance: z.number().int().min(1).max(7),
  rationale: z.string(),
  relied_on_sections: z.array(z.string()),
  failure_kind: z.enum(FAILURE_KINDS),
});
export type JudgeAnswer = z.infer<typeof JudgeAnswerSchema>;

/**
 * The same shape as a JSON schema for structured output. Written out rather than generated so it stays within
 * what strict OpenAI `json_schema` mode and llama.cpp grammars both accept (every key required, no extras).
 */
export const JUDGE_ANSWER_JSON_SCHEMA = {
  type: "object",
  properties: {
    compliance: { type: "integer", enum: [1, 2, 3, 4, 5, 6, 7] },
    rationale: { type: "string" },
    relied_on_sections: { type: "array", items: { type: "string" } },
    failure_kind: { type: "string", enum: [...FAILURE_KINDS] },
  },
  required: ["compliance", "rationale", "relied_on_sections", "failure_kind"],
  additionalProperties: false,
} as const;
