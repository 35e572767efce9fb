import type { Message } from "../conversation/index.js";
import type { GenerateRequest, GenerateResult } from "../providers/index.js";
import { parseJudgeAnswer } from "./parse-answer.js";
import type { JudgingSettings } from "./settings.js";
import { JUDGE_ANSWER_JSON_SCHEMA } from "./verdict-schema.js";

/** One grader sample: the judge's answer read into fields, with its raw text kept exactly as received. */
export interface Grade {
  /** `ok` when the answer is well-formed and in range; anything else makes it unusable for the verdict. */
  status: "ok" | "unparseable" | "refused";
  compliance: number | null;
  /** The judge's reason, or why the answer could not be used. */
  rationale: string | null;
  reliedOn: string[];
  failureKind: string | null;
  raw: string;
}

/**
 * The request for one grader sample: the judge prompt with the answer schema for structured output.
 *
 * @example
 * const request = gradeRequest(buildJudgePrompt({ model, sample, response, context: "full" }), judging);
 */
export function gradeRequest(prompt: Message[], settings: JudgingSettings): GenerateRequest {
  return {
    messages: prompt,
    maxTokens: settings.maxTokens,
    temperature: settings.temperature ?? undefined,
    responseSchema: {
      name: "compliance_grade",
      schema: JUDGE_ANSWER_JSON_SCHEMA as unknown as Record<string, unknown>,
    },
  };
}

/**
 * Reads a judge's answer into a grade. A refusal or an answer that is not a well-formed, in-range JSON object is
 * kept (status and reason) but never becomes a score.
 *
 * @example
 * readGrade({ text: '{"compliance": 7, "rationale": "ok", "relied_on_sections": [], "failure_kind": "none"}',
 *   usage: { inputTokens: 0, outputTokens: 0 } }).compliance; // 7
 */
export function readGrade(result: GenerateResult): Grade {
  const parsed = parseJudgeAnswer(result);
  const raw = result.refusal ? `${result.text}\n[refusal] ${result.refusal}` : result.text;
  if (parsed.status !== "ok") {
    return {
      status: parsed.status,
      compliance: null,
      rationale: parsed.reason,
      reliedOn: [],
      failureKind: null,
      raw,
    };
  }
  return {
    status: "ok",
    compliance: parsed.answer.compliance,
    rationale: parsed.answer.rationale,
    reliedOn: parsed.answer.relied_on_sections,
    failureKind: parsed.answer.failure_kind,
    raw,
  };
}
