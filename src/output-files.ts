/**
 * Files modelspec writes for the user (datasets, training files, reports): checked before any work, then written
 * whole or not at all. Each goes to a temporary file beside it and is renamed over it at the end, so a stop, a
 * crash or a full disk never leaves a half-written file or damages the one that was there.
 */
import { closeSync, openSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { UsageError } from "./errors.js";

const code = (error: unknown) => (error as NodeJS.ErrnoException).code ?? (error as Error).message;

/**
 * Refuses, with one line naming the file (and the flag when given), an output whose folder does not exist, that
 * is a folder, or that exists when `force` is false. Called before anything is asked of a model.
 *
 * @example
 * checkOutputs(["pairs.jsonl", "pairs.provenance.jsonl"], false, "--out");
 */
export function checkOutputs(paths: readonly string[], force: boolean, flag?: string): void {
  const name = (path: string) => (flag ? `${flag} ${path}` : path);
  for (const path of paths) {
    if (!statSync(dirname(resolve(path)), { throwIfNoEntry: false })?.isDirectory())
      throw new UsageError(`${name(path)}: no such folder '${dirname(path)}'`);
    const existing = statSync(path, { throwIfNoEntry: false });
    if (existing?.isDirectory()) throw new UsageError(`${name(path)}: is a folder, expected a file`);
    if (existing && !force) throw new UsageError(`${name(path)}: the file exists (--force replaces it)`);
  }
}

/** The provenance file beside a training file: `data.jsonl` → `data.provenance.jsonl`. */
export function provenancePath(out: string): string {
  return `${out.endsWith(".jsonl") ? out.slice(0, -".jsonl".length) : out}.provenance.jsonl`;
}

/** Files written piece by piece under temporary names, all put in place by `commit`, or none by `discard`. */
export interface StagedFiles {
  /** Appends text to the i-th file. */
  write(index: number, text: string): void;
  commit(): void;
  discard(): void;
}

/**
 * Opens temporary files beside `paths` for writing in pieces (a stream of lines never held in memory whole).
 *
 * @example
 * const files = stageFiles(["out.jsonl"]);
 * try { files.write(0, "{}\n"); files.commit(); } catch (e) { files.discard(); throw e; }
 */
export function stageFiles(paths: readonly string[], flag?: string): StagedFiles {
  const fail = (error: unknown): never => {
    const named = paths.map((p) => (flag ? `${flag} ${p}` : p)).join(" and ");
    throw new UsageError(`${named}: cannot write (${code(error)})`);
  };
  const staged: { path: string; temp: string; fd: number | null }[] = [];
  const closeAll = () => {
    for (const f of staged) if (f.fd !== null) closeSync(f.fd);
    for (const f of staged) f.fd = null;
  };
  const removeAll = () => {
    for (const f of staged) rmSync(f.temp, { force: true });
  };
  try {
    for (const path of paths) {
      const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
      staged.push({ path, temp, fd: openSync(temp, "w") });
    }
  } catch (error) {
    closeAll();
    removeAll();
    fail(error);
  }
  return {
    write(index, text) {
      const fd = staged[index]?.fd;
      if (fd === null || fd === undefined) throw new RangeError(`no open file ${index}`);
      try {
        writeSync(fd, text);
      } catch (error) {
        fail(error);
      }
    },
    commit() {
      try {
        closeAll();
        for (const f of staged) renameSync(f.temp, f.path);
      } catch (error) {
        removeAll();
        fail(error);
      }
    },
    discard() {
      closeAll();
      removeAll();
    },
  };
}

/**
 * Writes each file whole or none of them (see `stageFiles`); a failure is a UsageError naming them.
 *
 * @example
 * writeFilesAtomically([{ path: "report.xml", text: xml }], "--output");
 */
export function writeFilesAtomically(files: readonly { path: string; text: string }[], flag?: string): void {
  const staged = stageFiles(
    files.map((f) => f.path),
    flag,
  );
  try {
    files.forEach((f, i) => {
      staged.write(i, f.text);
    });
    staged.commit();
  } catch (error) {
    staged.discard();
    throw error;
  }
}
