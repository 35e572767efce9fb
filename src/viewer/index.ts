export { DEFAULT_VIEWER_PORT } from "./defaults.js";
export { renderRunReportHtml } from "./report.js";
export { startViewer, type Viewer, type ViewerOptions } from "./server.js";
