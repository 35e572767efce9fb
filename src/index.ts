/**
 * modelspec as a library: `import { evaluate } from "modelspec"`. The CLI and the viewer are thin surfaces over
 * these functions (see docs/api.md).
 */

export {
  type AuthorityLevel,
  type ContentPart,
  type Message,
  partAuthority,
  type Role,
  roleAuthority,
  textMessage,
} from "./conversation/index.js";
export {
  evalPromptSamples,
  exampleSamples,
  type JsonlRecord,
  readJsonlDataset,
  type Sample,
  type SampleFilter,
  SampleSchema,
  selectSamples,
  toJsonlRecord,
} from "./dataset/index.js";
export { DatabaseError, DatasetError, ModelspecError, UsageError } from "./errors.js";
export {
  buildJudgePrompt,
  decideVerdict,
  type Grade,
  gradeRequest,
  JUDGE_PROMPT_VERSION,
  type JudgeAnswer,
  JudgeAnswerSchema,
  type JudgeContext,
  type JudgingSettings,
  readGrade,
  type Verdict,
} from "./judge/index.js";
export {
  createProvider,
  type GenerateRequest,
  type GenerateResult,
  type Provider,
  ProviderError,
  type ProviderErrorKind,
  type ProviderSettings,
} from "./providers/index.js";
export {
  formatRate,
  renderCalibration,
  renderComparison,
  renderSpecDiff,
  renderSummary,
} from "./report/index.js";
export {
  type CalibrateOptions,
  type CalibrationReport,
  calibrate,
  compareRuns,
  type EvaluateOptions,
  type ExportRecord,
  evaluate,
  type GroupRow,
  openResults,
  type RateCell,
  type RegradeOptions,
  type Results,
  type RunComparison,
  type RunConfig,
  type RunProgress,
  type RunRecord,
  type RunSummary,
  regrade,
  summarizeRun,
} from "./runs/index.js";
export {
  compileSpec,
  compileSpecDir,
  type Diagnostic,
  diffSpecs,
  type EvalPrompt,
  type Example,
  evalPromptsOf,
  examplesOf,
  fetchRelease,
  filterSections,
  findSection,
  formatDiagnostic,
  LATEST_RELEASE,
  type LintResult,
  lintSpec,
  loadSpec,
  RELEASES,
  type Section,
  type SpecDiff,
  SpecError,
  type SpecModel,
  SpecModelSchema,
  searchSpec,
} from "./spec/index.js";
export { cohensKappa, mcnemarExact, pairedDifference, wilsonInterval } from "./stats/index.js";
export { TOOL_VERSION } from "./version.js";
