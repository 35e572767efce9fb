export { renderCalibration } from "./calibration-text.js";
export { renderComparison } from "./comparison-text.js";
export { estimateLine, renderEstimate } from "./estimate-text.js";
export {
  count,
  decimal,
  excerpt,
  formatRate,
  formatReward,
  percent,
  points,
  terminalText,
  tokens,
  usd,
  when,
} from "./format.js";
export { renderGateFailure } from "./gate-text.js";
export { type JunitRun, renderJunit } from "./junit.js";
export { renderMarkdownSummary } from "./markdown-summary.js";
export { renderModelsMatrix } from "./models-matrix.js";
export { renderPairwise } from "./pairwise-text.js";
export { renderSpecDiff } from "./spec-diff-text.js";
export { renderSection } from "./spec-section-text.js";
export { renderSummary, SUMMARY_ORDERS, type SummaryTextOptions } from "./summary-text.js";
export { renderTable } from "./table.js";
export { wordDiffHunks } from "./word-diff-hunks.js";
