export { appPromptText } from "./app-prompts.js";
export { type CalibrationReport, calibrate } from "./calibrate.js";
export type { ComparisonRow, RunComparison } from "./compare.js";
export { type RunConfig, type RunRecord, withoutCredentials } from "./config.js";
export {
  CONFIG_FILE_NAME,
  type ConfigFile,
  configJsonSchema,
  readConfigFile,
} from "./config-file.js";
export { datasetName, selectDataset } from "./dataset.js";
export { estimateRun } from "./estimate.js";
export { evaluate } from "./evaluate.js";
export { evaluateModels } from "./evaluate-models.js";
export { checkGates, type ErrorBudget, type GateFailure, type GateOptions } from "./gate.js";
export {
  type BatchItemResult,
  createGrader,
  type GradeRequest,
  type GradeResult,
  type Grader,
} from "./grader.js";
export {
  type CalibrateOptions,
  DEFAULTS,
  type EvaluateModelsOptions,
  type EvaluateOptions,
  type GenerateOptions,
  GenerateOptionsSchema,
  type GraderOptions,
  judgingFrom,
  type ModelProgress,
  type PreferencePairsOptions,
  PreferencePairsOptionsSchema,
  parseOptions,
  type ReasoningDataOptions,
  ReasoningDataOptionsSchema,
  type RegradeOptions,
  type ResolvedGenerateOptions,
  type RunProgress,
  type WritePreferencePairsOptions,
  WritePreferencePairsOptionsSchema,
} from "./options.js";
export { estimateCost, type PriceTable, pricesFrom } from "./prices.js";
export { modelId, RunProviders } from "./providers.js";
export { describeRange, inRange, RANGES, type RangedOption, thousands } from "./ranges.js";
export { regrade } from "./regrade.js";
export {
  compareRunPairs,
  compareRuns,
  type ExportRecord,
  openResults,
  type Results,
  summarizeRun,
} from "./results.js";
export type { Range, RoleEstimate, RunEstimate } from "./run-estimate.js";
export { runSpecSource, specOfRun } from "./run-spec.js";
export { starterConfig } from "./starter-config.js";
export {
  type GroupRow,
  type RateCell,
  type RunSummary,
  rateCell,
  type SafeCompletionSummary,
} from "./summary.js";
