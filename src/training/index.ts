export { type ReasoningDataSummary, reasoningData } from "./sft.js";
export type { DropReason } from "./sft-filter.js";
export { renderReasoningData } from "./sft-text.js";
