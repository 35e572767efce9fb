/**
 * Writing preference pairs: the training file, and beside it `<out>.provenance.jsonl` with one line per training
 * line (same order) saying where the pair comes from, so that the training file holds only what its format
 * defines. Both are written to temporary files and renamed at the end: on any failure neither file changes.
 */
import { closeSync, existsSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { UsageError } from "../errors.js";
import {
  parseOptions,
  type WritePreferencePairsOptions,
  WritePreferencePairsOptionsSchema,
} from "../runs/index.js";
import { type PairCounts, type PairProvenance, preferencePairs } from "./pairs.js";
import { type PairFormat, toTrainingRecord } from "./pairs-format.js";

/** What `writePreferencePairs` wrote. */
export interface PreferencePairsSummary {
  format: PairFormat;
  /** The training file. */
  out: string;
  /** The provenance sidecar, line-aligned with it. */
  provenance: string;
  /** Lines written to each. */
  pairs: number;
  counts: PairCounts;
}

/** One line of the provenance file: the line of the training file it describes (from 1) and the pair's origin. */
export type ProvenanceLine = { line: number } & PairProvenance;

/** A file written line by line under a temporary name, put in place by `commit`. */
function stagedFile(path: string) {
  const temp = `${path}.${process.pid}.tmp`;
  let fd: number;
  try {
    fd = openSync(temp, "w");
  } catch (error) {
    throw new UsageError(`${path}: cannot write (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
  let open = true;
  const close = () => {
    if (open) closeSync(fd);
    open = false;
  };
  return {
    write: (value: unknown) => writeSync(fd, `${JSON.stringify(value)}\n`),
    commit: () => {
      close();
      renameSync(temp, path);
    },
    discard: () => {
      close();
      rmSync(temp, { force: true });
    },
  };
}

/**
 * Writes `preferencePairs` as a `dpo` (OpenAI preference fine-tuning) or `trl` (TRL conversational preference)
 * JSONL file at `out`, with the provenance of each line in `<out>.provenance.jsonl`. An existing file is refused
 * unless `force`; a bad option, an unknown run, a run without graded samples or a spec that does not load is an
 * error before anything is written, and neither file is touched by a failure.
 *
 * @example
 * const written = writePreferencePairs({ spec: "2025-12-18", format: "dpo", out: "pairs.jsonl" });
 * console.log(written.pairs, written.counts.examples.prompts, written.provenance);
 */
export function writePreferencePairs(options: WritePreferencePairsOptions): PreferencePairsSummary {
  const { format, out, force, ...pairOptions } = parseOptions(WritePreferencePairsOptionsSchema, options);
  const provenance = `${out}.provenance.jsonl`;
  if (!force) {
    for (const path of [out, provenance]) {
      if (existsSync(path)) throw new UsageError(`${path}: the file exists (--force replaces it)`);
    }
  }
  const pairs = preferencePairs(pairOptions);
  const training = stagedFile(out);
  const sidecar = stagedFile(provenance);
  try {
    let line = 0;
    for (;;) {
      const next = pairs.next();
      if (next.done) {
        sidecar.commit();
        training.commit();
        return { format, out, provenance, pairs: line, counts: next.value };
      }
      line++;
      training.write(toTrainingRecord(next.value, format));
      sidecar.write({ line, ...next.value.provenance } satisfies ProvenanceLine);
    }
  } catch (error) {
    training.discard();
    sidecar.discard();
    // Ends the generator where it stopped (its results database is closed) and throws the error again.
    pairs.throw(error);
    throw error;
  }
}
