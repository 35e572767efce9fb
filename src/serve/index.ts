export { type RunningGrader, startGraderServer } from "./grader-server.js";
export { type ProxyOptions, type RunningProxy, startProxy } from "./proxy.js";
