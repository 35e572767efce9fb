export { type CallPolicy, callProvider, DEFAULT_POLICY } from "./call.js";
export { requestKey } from "./keys.js";
export { AdaptiveLimiter } from "./limiter.js";
export { type GenerationSettings, type ProgressState, runEval } from "./run-eval.js";
