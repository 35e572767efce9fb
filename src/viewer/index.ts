export { renderRunReportHtml } from "./report.js";
export { startViewer, type Viewer } from "./server.js";
