export { createBoundary, newBoundary } from "./boundary.js";
export { gradersToDraw } from "./early-stop.js";
export { type Grade, gradeRequest, readGrade } from "./grade.js";
export { buildJudgePrompt, type JudgePromptInput, renderConversation } from "./judge-prompt.js";
export { parseJudgeAnswer, readModelJson } from "./parse-answer.js";
export {
  aggregateSafeCompletion,
  HELPFULNESS_LEVELS,
  type Helpfulness,
  RUBRICS,
  type Rubric,
  type SafeCompletionScore,
  SEVERITIES,
  type Severity,
  safeCompletionReward,
} from "./safe-completion.js";
export {
  type JudgeContext,
  type JudgingSettings,
  JudgingSettingsSchema,
  resolveJudgeContext,
} from "./settings.js";
export {
  decideVerdict,
  JUDGE_PROMPT_VERSION,
  quorumOf,
  type Verdict,
} from "./verdict.js";
export { type JudgeAnswer, JudgeAnswerSchema } from "./verdict-schema.js";
