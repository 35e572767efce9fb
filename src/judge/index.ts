export {
  buildJudgePrompt,
  JUDGE_INSTRUCTIONS,
  type JudgeContext,
  type JudgePromptInput,
  renderConversation,
  specText,
} from "./judge-prompt.js";
export { type ParsedAnswer, parseJudgeAnswer } from "./parse-answer.js";
export {
  FAILURE_KINDS,
  JUDGE_ANSWER_JSON_SCHEMA,
  type JudgeAnswer,
  JudgeAnswerSchema,
} from "./verdict-schema.js";
