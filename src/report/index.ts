export { renderCalibration } from "./calibration-text.js";
export { renderComparison } from "./comparison-text.js";
export { estimateLine, renderEstimate } from "./estimate-text.js";
export { count, decimal, excerpt, formatRate, percent, points, tokens, usd, when } from "./format.js";
export { renderGateFailure } from "./gate-text.js";
export { renderSpecDiff } from "./spec-diff-text.js";
export { renderSummary } from "./summary-text.js";
export { renderTable } from "./table.js";
