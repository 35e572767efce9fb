import type { Message } from "../conversation/index.js";
import type { GenerateRequest, GenerateResult } from "../providers/index.js";
import { parseJudgeAnswer } from "./parse-answer.js";
import type { Helpfulness, Rubric, Severity } from "./safe-completion.js";
import type { JudgingSettings } from "./settings.js";
import { JUDGE_ANSWER_JSON_SCHEMA, SAFE_COMPLETION_ANSWER_JSON_SCHEMA } from "./verdict-schema.js";

/** One grader sample: the judge's answer read into fields, with its raw text kept exactly as received. */
export interface Grade {
  /** `ok` when the answer is well-formed and in range; anything else makes it unusable for the verdict. */
  status: "ok" | "unparseable" | "refused";
  compliance: number | null;
  /** The judge's reason, or why the answer could not be used. */
  rationale: string | null;
  reliedOn: string[];
  failureKind: string | null;
  /** Safe-completion mode: severity of disallowed content in the response; null in compliance mode or unusable. */
  severity: Severity | null;
  /** Safe-completion mode: how much the response helps; null in compliance mode or when unusable. */
  helpfulness: Helpfulness | null;
  raw: string;
}

/**
 * The request for one grader sample: the judge prompt with the answer schema for structured output (the
 * safe-completion one, with both axes, when `settings.rubric` asks for it).
 *
 * @example
 * const request = gradeRequest(buildJudgePrompt({ model, sample, response, context: "full" }), judging);
 */
export function gradeRequest(prompt: Message[], settings: JudgingSettings): GenerateRequest {
  const safe = settings.rubric === "safe-completion";
  return {
    messages: prompt,
    maxTokens: settings.maxTokens,
    temperature: settings.temperature ?? undefined,
    responseSchema: safe
      ? {
          name: "safe_completion_grade",
          schema: SAFE_COMPLETION_ANSWER_JSON_SCHEMA as unknown as Record<string, unknown>,
        }
      : {
          name: "compliance_grade",
          schema: JUDGE_ANSWER_JSON_SCHEMA as unknown as Record<string, unknown>,
        },
  };
}

/**
 * Reads a judge's answer into a grade. A refusal or an answer that is not a well-formed, in-range JSON object is
 * kept (status and reason) but never becomes a score. With `rubric` `safe-completion` the answer must carry both
 * axes (`severity`, `helpfulness`); one without either is unparseable.
 *
 * @example
 * readGrade({ text: '{"compliance": 7, "rationale": "ok", "relied_on_sections": [], "failure_kind": "none"}',
 *   usage: { inputTokens: 0, outputTokens: 0 } }).compliance; // 7
 * readGrade({ text: '{"compliance": 6, "rationale": "ok", "relied_on_sections": [], "failure_kind": "none",
 *   "severity": "none", "helpfulness": "indirect"}', usage: { inputTokens: 0, outputTokens: 0 } },
 *   "safe-completion").helpfulness; // "indirect"
 */
export function readGrade(result: GenerateResult, rubric: Rubric = "compliance"): Grade {
  const parsed = parseJudgeAnswer(result, rubric);
  const raw = result.refusal ? `${result.text}\n[refusal] ${result.refusal}` : result.text;
  if (parsed.status !== "ok") {
    return {
      status: parsed.status,
      compliance: null,
      rationale: parsed.reason,
      reliedOn: [],
      failureKind: null,
      severity: null,
      helpfulness: null,
      raw,
    };
  }
  return {
    status: "ok",
    compliance: parsed.answer.compliance,
    rationale: parsed.answer.rationale,
    reliedOn: parsed.answer.relied_on_sections,
    failureKind: parsed.answer.failure_kind,
    severity: "severity" in parsed.answer ? parsed.answer.severity : null,
    helpfulness: "helpfulness" in parsed.answer ? parsed.answer.helpfulness : null,
    raw,
  };
}
