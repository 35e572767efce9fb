export { renderRunReportHtml } from "./report.js";
export { DEFAULT_VIEWER_PORT, startViewer, type Viewer, type ViewerOptions } from "./server.js";
