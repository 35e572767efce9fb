import { join } from "node:path";
import envPaths from "env-paths";

/** The user's cache folder for modelspec (MODELSPEC_CACHE_DIR overrides, e.g. in tests). */
export function cacheRoot(): string {
  return process.env.MODELSPEC_CACHE_DIR || envPaths("modelspec", { suffix: "" }).cache;
}

export function releaseCacheDir(version: string): string {
  return join(cacheRoot(), "specs", version);
}
