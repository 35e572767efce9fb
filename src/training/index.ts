export {
  type PairCounts,
  type PairProvenance,
  type PreferencePair,
  preferencePairs,
  type RunResponseSource,
} from "./pairs.js";
export { type DpoRecord, type PairFormat, type TrlRecord, toTrainingRecord } from "./pairs-format.js";
export { type PreferencePairsSummary, type ProvenanceLine, writePreferencePairs } from "./pairs-write.js";
export { type ReasoningDataSummary, reasoningData } from "./sft.js";
export type { DropReason } from "./sft-filter.js";
export { renderReasoningData } from "./sft-text.js";
