export { type CallPolicy, callProvider, DEFAULT_POLICY } from "./call.js";
export { messageKey, requestKey } from "./keys.js";
export { AdaptiveLimiter } from "./limiter.js";
export { type EvalPlan, type GenerationSettings, type ProgressState, runEval } from "./run-eval.js";
