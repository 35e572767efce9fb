export { askJson, type JsonAnswer } from "./ask-json.js";
export { type CallPolicy, callProvider, DEFAULT_POLICY } from "./call.js";
export { completionRecord } from "./completion-record.js";
export {
  type GradeOutcome,
  type GradingCounters,
  type GradingPlan,
  gradeResponse,
} from "./grade-response.js";
export { completionKey, requestKey } from "./keys.js";
export { AdaptiveLimiter } from "./limiter.js";
export { type GenerationSettings, newProgress, type ProgressState, runEval } from "./run-eval.js";
