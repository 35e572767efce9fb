import { existsSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { UsageError } from "../errors.js";
import type { GeneratedRecord } from "./records.js";

/** Refuses an existing output file unless `force`: nothing is asked of any model before that is settled. */
export function checkOutput(path: string | undefined, force: boolean): void {
  if (path !== undefined && !force && existsSync(path)) {
    throw new UsageError(`--out ${path}: the file exists (--force replaces it)`);
  }
}

/**
 * Writes the records as JSONL, whole or not at all: into a temporary file beside the output, then renamed over
 * it, so a stop or a crash never leaves a half-written dataset (or a damaged earlier one).
 */
export function writeRecords(path: string, records: GeneratedRecord[], force: boolean): void {
  checkOutput(path, force);
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, records.map((r) => `${JSON.stringify(r)}\n`).join(""));
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`--out ${path}: cannot write (${code ?? (error as Error).message})`);
  }
}
