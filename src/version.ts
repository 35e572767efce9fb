import { createRequire } from "node:module";

/** The package version, recorded with every run. */
export const TOOL_VERSION = (createRequire(import.meta.url)("../package.json") as { version: string })
  .version;
