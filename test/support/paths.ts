import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root, whatever the working directory. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The built CLI, as `npx modelspec` runs it. `node scripts/run-tests.mjs` builds it before any test runs. */
export const CLI = join(ROOT, "dist/cli/main.js");

/** The official releases beside the checkout (`../shared/model-spec`): tests never use the network. */
export const SHARED_SPECS = join(ROOT, "..", "shared", "model-spec");

export const RELEASE_VERSIONS = ["2025-02-12", "2025-04-11", "2025-09-12", "2025-12-18"] as const;

export function releaseDir(version: string): string {
  return join(SHARED_SPECS, version);
}
