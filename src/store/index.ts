export type { GraderAnswers, TokenTotals, VerdictTotals } from "./aggregates.js";
export type { FlipFilter, FlipPage, FlippedSample, FlipSide } from "./flips.js";
export type { GenerationItemRecord, GenerationItemStatus } from "./generations.js";
export type { GradedResponse } from "./graded-responses.js";
export type { PromptAnswer } from "./prompt-answers.js";
export type {
  CompletionRecord,
  GradeRecord,
  RunResultRow,
  RunSampleRow,
  RunStatus,
  StoredRun,
  VerdictRecord,
} from "./records.js";
export type { SafeCompletionTotals } from "./safe-completion-totals.js";
export type { FailureRow, Failures, SampleDetail } from "./sample-detail.js";
export {
  DEFAULT_PAGE_SIZE,
  isSampleSort,
  isVerdictFilter,
  type SampleListRow,
  type SamplePage,
  type SamplePageFilter,
  type SamplePageOptions,
  type SampleSort,
  VERDICT_FILTERS,
} from "./sample-pages.js";
export type { ScoreBreakdown } from "./score-breakdown.js";
export { ResultStore } from "./store.js";
