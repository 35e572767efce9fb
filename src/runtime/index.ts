/**
 * `modelspec/runtime`: the Model Spec's chain of command in force in an app, at run time. It loads neither the
 * CLI nor the results store (SQLite); see docs/runtime.md.
 */
export { chainOfCommand } from "./ai-sdk.js";
export type { ChatMessage } from "./chat.js";
export { describeRuntime, type RuntimeSummary } from "./describe.js";
export { type GuardContext, guard } from "./guard.js";
export type { GuardResult, GuardStatus } from "./guard-result.js";
export { withChainOfCommand } from "./openai-client.js";
export {
  GUARD_MODES,
  type GuardMode,
  type RuntimeOptions,
  SPOTLIGHT_MODES,
  type SpotlightMode,
} from "./options.js";
export { type Applied, type Prepared, prepare } from "./prepare.js";
