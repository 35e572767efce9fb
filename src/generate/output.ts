import { existsSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { UsageError } from "../errors.js";
import type { GeneratedRecord } from "./records.js";

/**
 * Refuses an existing output file unless `force`, and an output in a folder that does not exist: nothing is asked
 * of any model before that is settled.
 */
export function checkOutput(path: string | undefined, force: boolean): void {
  if (path === undefined) return;
  if (!force && existsSync(path))
    throw new UsageError(`--out ${path}: the file exists (--force replaces it)`);
  if (!statSync(dirname(path), { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError(`--out ${path}: no such folder '${dirname(path)}'`);
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
