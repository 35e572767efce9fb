export { type ProxyOptions, type RunningProxy, startProxy } from "./proxy.js";
