/**
 * Writing preference pairs: the training file, and beside it `<out>.provenance.jsonl` with one line per training
 * line (same order) saying where the pair comes from, so that the training file holds only what its format
 * defines. Both are written to temporary files and renamed at the end: on any failure neither file changes.
 */
import { checkOutputs, provenancePath, stageFiles } from "../output-files.js";
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

/**
 * Writes `preferencePairs` as a `dpo` (OpenAI preference fine-tuning) or `trl` (TRL conversational preference)
 * JSONL file at `out`, with the provenance of each line beside it (`pairs.jsonl` → `pairs.provenance.jsonl`). An existing file is refused
 * unless `force`; a bad option, an unknown run, a run without graded samples or a spec that does not load is an
 * error before anything is written, and neither file is touched by a failure.
 *
 * @example
 * const written = writePreferencePairs({ spec: "2025-12-18", format: "dpo", out: "pairs.jsonl" });
 * console.log(written.pairs, written.counts.examples.prompts, written.provenance);
 */
export function writePreferencePairs(options: WritePreferencePairsOptions): PreferencePairsSummary {
  const { format, out, force, ...pairOptions } = parseOptions(WritePreferencePairsOptionsSchema, options);
  const provenance = provenancePath(out);
  checkOutputs([out, provenance], force, "--out");
  const pairs = preferencePairs(pairOptions);
  const files = stageFiles([out, provenance], "--out");
  const jsonl = (value: unknown) => `${JSON.stringify(value)}\n`;
  try {
    let lineNumber = 0;
    for (;;) {
      const next = pairs.next();
      if (next.done) {
        files.commit();
        return { format, out, provenance, pairs: lineNumber, counts: next.value };
      }
      lineNumber++;
      files.write(0, jsonl(toTrainingRecord(next.value, format)));
      files.write(1, jsonl({ line: lineNumber, ...next.value.provenance } satisfies ProvenanceLine));
    }
  } catch (error) {
    files.discard();
    // Ends the generator where it stopped (its results database is closed) and throws the error again.
    pairs.throw(error);
    throw error;
  }
}
