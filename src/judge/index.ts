export { type Grade, gradeRequest, readGrade } from "./grade.js";
export { buildJudgePrompt, type JudgePromptInput } from "./judge-prompt.js";
export { parseJudgeAnswer } from "./parse-answer.js";
export {
  type JudgeContext,
  JudgeContextSchema,
  type JudgingSettings,
  JudgingSettingsSchema,
  resolveJudgeContext,
} from "./settings.js";
export { decideVerdict, JUDGE_PROMPT_VERSION, type Verdict } from "./verdict.js";
export { FAILURE_KINDS, type JudgeAnswer, JudgeAnswerSchema } from "./verdict-schema.js";
