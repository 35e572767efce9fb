import { type JsonlRecord, toJsonlRecord } from "../dataset/index.js";
import { UsageError } from "../errors.js";
import type { SpecModel } from "../spec/index.js";
import {
  type Failures,
  type FlipFilter,
  type FlipPage,
  type GradedResponse,
  type PromptAnswer,
  ResultStore,
  type RunResultRow,
  type SampleDetail,
  type SamplePage,
  type SamplePageFilter,
  type SamplePageOptions,
  type ScoreBreakdown,
  type VerdictRecord,
  type VerdictTotals,
} from "../store/index.js";
import { checkShareSamples, comparePairs, type RunComparison } from "./compare.js";
import { decodeRun, type RunRecord } from "./config.js";
import { specOfRun } from "./run-spec.js";
import { type RunSummary, summarize } from "./summary.js";

/** One sample of a run as `modelspec export --jsonl` writes it: a dataset record plus what the run made of it. */
export interface ExportRecord extends JsonlRecord {
  runId: string;
  epoch: number;
  response: string | null;
  completionError: { kind: string; message: string | null } | null;
  verdict: VerdictRecord | null;
  grades: {
    status: string;
    compliance: number | null;
    rationale: string | null;
    reliedOn: string[];
    failureKind: string | null;
    raw: string;
  }[];
}

/**
 * A results database opened read-only: its runs, their summaries and comparisons, their samples. What the
 * report commands and the viewer read, and what a notebook or script reads.
 *
 * @example
 * const results = openResults(".modelspec/results.db");
 * try {
 *   const run = results.findRun("latest");
 *   console.log(results.summary(run).overall);
 *   for await (const record of results.export(run.id)) console.log(record.id, record.verdict?.status);
 * } finally {
 *   results.close();
 * }
 */
export class Results {
  constructor(private readonly store: ResultStore) {}

  close(): void {
    this.store.close();
  }

  /** Every run, newest first. */
  listRuns(): RunRecord[] {
    return this.store.listRuns().map((run) => decodeRun(run));
  }

  /** A run by id, unique id prefix, or `latest`; a `UsageError` when there is none. */
  findRun(ref: string): RunRecord {
    return decodeRun(this.store.findRun(ref));
  }

  /** A run's samples counted by verdict. */
  totals(runId: string): VerdictTotals {
    return this.store.verdictTotals(runId, "all")[0] as VerdictTotals;
  }

  /**
   * A run's summary. Section titles come from `spec` (a folder, a version or a compiled spec; null: none) or
   * else from the run's own spec when it can still be found.
   */
  summary(run: RunRecord, options: { spec?: string | SpecModel | null } = {}): RunSummary {
    const spec =
      options.spec === null || typeof options.spec === "object" ? options.spec : specOfRun(run, options.spec);
    return summarize(this.store, run.id, spec);
  }

  /**
   * Two runs compared on the samples both graded (paired by sample id and epoch); with no sample in common,
   * nothing is paired (`paired` 0). `comparePairwise`, `compareRuns` and `compareRunPairs` refuse such runs.
   */
  compare(runA: string, runB: string): RunComparison {
    return comparePairs(this.store, this.findRun(runA).id, this.findRun(runB).id);
  }

  /**
   * Every pair of the runs compared (the first with the second, the first with the third, …, in the order given),
   * each as `compare` does it; a `UsageError` for fewer than two runs or for a pair that shares no samples
   * (checked for every pair before any is compared).
   */
  comparePairwise(runs: readonly string[]): RunComparison[] {
    if (runs.length < 2) throw new UsageError(`compare needs at least two runs (got ${runs.length})`);
    const ids = runs.map((ref) => this.findRun(ref).id);
    const pairs = ids.flatMap((a, i) => ids.slice(i + 1).map((b) => [a, b] as const));
    for (const [a, b] of pairs) checkShareSamples(this.store, a, b);
    return pairs.map(([a, b]) => comparePairs(this.store, a, b));
  }

  /** A run's samples in dataset order with completion, verdict and grades, read a page at a time. */
  async *samples(runId: string): AsyncGenerator<RunResultRow> {
    yield* this.store.runResults(runId);
  }

  /**
   * The graded responses (with a completion) of these runs (ids as stored), one prompt's responses together: by
   * sample id, then the runs in the order given, then epoch; errors and ungraded samples left out. What
   * preference pairs are made from.
   */
  gradedResponses(runIds: readonly string[]): Generator<GradedResponse> {
    return this.store.gradedResponses(runIds);
  }

  /** A run's samples as export records (replayable with `replay:<file>`). */
  async *export(runId: string): AsyncGenerator<ExportRecord> {
    for (const row of this.store.runResults(runId)) yield toExportRecord(runId, row);
  }

  /**
   * One page of the sample table, filtered, searched and sorted (keyset paging; `after`/`before` are the cursors
   * a page returns).
   */
  samplePage(filter: SamplePageFilter, options: SamplePageOptions = {}): SamplePage {
    return this.store.samplePage(filter, options);
  }

  /** Section ids present in a run's samples (or every run's). */
  sampleSections(runId?: string): string[] {
    return this.store.sampleSections(runId);
  }

  /** The distinct candidate models of the runs. */
  models(): string[] {
    return this.store.models();
  }

  /** Everything stored about one sample of a run; null when there is no such sample. */
  sampleDetail(runId: string, sampleId: string, epoch: number): SampleDetail | null {
    return this.store.sampleDetail(runId, sampleId, epoch);
  }

  /** The run's non-compliant samples, lowest scores first. */
  lowestScoring(runId: string, limit?: number): Failures {
    return this.store.lowestScoring(runId, limit);
  }

  /**
   * The samples two runs disagree on (graded in both, compliant in one only) with both answers, a page at a
   * time in run A's dataset order; `after`/`before` are the cursors a page returns.
   */
  flippedSamples(
    runA: string,
    runB: string,
    filter: FlipFilter = {},
    options: { after?: string; before?: string; limit?: number } = {},
  ): FlipPage {
    return this.store.flippedSamples(this.findRun(runA).id, this.findRun(runB).id, filter, options);
  }

  /**
   * One prompt across runs: every run of `runId`'s dataset that has sample `sampleId`, newest first, with each
   * epoch's whole answer and its verdict.
   */
  promptAnswers(runId: string, sampleId: string): PromptAnswer[] {
    return this.store.promptAnswers(runId, sampleId);
  }

  /**
   * How a run's samples (or one section's) were scored and failed: graded samples by median score, the
   * non-compliant ones by failure kind, errors and ungraded samples by reason.
   */
  scoreBreakdown(runId: string, section?: string | null): ScoreBreakdown {
    return this.store.scoreBreakdown(runId, section);
  }
}

function toExportRecord(runId: string, row: RunResultRow): ExportRecord {
  return {
    runId,
    ...toJsonlRecord(row.sample),
    epoch: row.epoch,
    response: row.completion?.text ?? null,
    completionError: row.errorKind ? { kind: row.errorKind, message: row.errorMessage } : null,
    verdict: row.verdict,
    grades: row.grades.map((g) => ({
      status: g.status,
      compliance: g.compliance,
      rationale: g.rationale,
      reliedOn: g.reliedOn,
      failureKind: g.failureKind,
      raw: g.raw,
    })),
  };
}

/**
 * Opens a results database read-only. It must exist and be a modelspec database (else a `DatabaseError`);
 * close it when done.
 *
 * @example
 * const results = openResults(".modelspec/results.db");
 * console.log(results.listRuns().map((r) => r.id));
 * results.close();
 */
export function openResults(path: string): Results {
  return new Results(ResultStore.open(path, { readonly: true }));
}

/**
 * A stored run's summary (what `modelspec report --json` prints), read from the database at `db`.
 *
 * @example
 * const summary = summarizeRun({ db: ".modelspec/results.db", run: "latest" });
 */
export function summarizeRun(options: { db: string; run: string; spec?: string }): RunSummary {
  const results = openResults(options.db);
  try {
    return results.summary(results.findRun(options.run), { spec: options.spec });
  } finally {
    results.close();
  }
}

/**
 * Two stored runs compared per section on the samples both graded, with McNemar's exact test (what
 * `modelspec compare --json` prints); a `UsageError` when they share no samples.
 *
 * @example
 * const comparison = compareRuns({ db: ".modelspec/results.db", a: "run-3f2a", b: "latest" });
 */
export function compareRuns(options: { db: string; a: string; b: string }): RunComparison {
  const results = openResults(options.db);
  try {
    return results.comparePairwise([options.a, options.b])[0] as RunComparison;
  } finally {
    results.close();
  }
}

/**
 * Several stored runs compared pair by pair (first with second, first with third, …, second with third, …), each
 * pair as `compareRuns` compares it: what `modelspec compare` prints for more than two runs.
 *
 * @example
 * const pairs = compareRunPairs({ db: ".modelspec/results.db", runs: ["run-3f2a", "run-9c1b", "latest"] });
 */
export function compareRunPairs(options: { db: string; runs: readonly string[] }): RunComparison[] {
  const results = openResults(options.db);
  try {
    return results.comparePairwise(options.runs);
  } finally {
    results.close();
  }
}
