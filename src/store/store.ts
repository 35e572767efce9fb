import type Database from "better-sqlite3";
import type { Sample } from "../dataset/index.js";
import { UsageError } from "../errors.js";
import {
  type GraderAnswers,
  graderAnswers,
  type PairedVerdict,
  type PromptScore,
  pairedVerdicts,
  promptScores,
  type SampleGrouping,
  shareSamples,
  type TokenTotals,
  tokenTotals,
  type VerdictTotals,
  verdictKinds,
  verdictTotals,
} from "./aggregates.js";
import { type Connection, openConnection } from "./connection.js";
import { type FlipFilter, type FlipPage, flippedSamples } from "./flips.js";
import {
  finishGeneration,
  type GenerationItemRecord,
  type GenerationStatus,
  type GenerationTaskRecord,
  generationItems,
  generationTasks,
  putGenerationTask,
  type StoredGeneration,
  setGenerationItemStatus,
  startGeneration,
} from "./generations.js";
import { type GradedResponse, gradedResponses } from "./graded-responses.js";
import { type PromptAnswer, promptAnswers } from "./prompt-answers.js";
import {
  type CompletionRecord,
  type GradeRecord,
  type Row,
  type RunResultRow,
  type RunSampleRow,
  type RunStatus,
  type StoredRun,
  toCompletion,
  toGrade,
  toRun,
  toRunSample,
  toVerdict,
  type VerdictRecord,
} from "./records.js";
import { type SafeCompletionTotals, safeCompletionTotals } from "./safe-completion-totals.js";
import { type Failures, lowestScoring, type SampleDetail, sampleDetail } from "./sample-detail.js";
import {
  type SamplePage,
  type SamplePageFilter,
  type SamplePageOptions,
  samplePage,
  sampleSections,
} from "./sample-pages.js";
import { type ScoreBreakdown, scoreBreakdown } from "./score-breakdown.js";
import { type Sql, VERDICT_JOIN } from "./sql.js";

const now = () => new Date().toISOString();

/**
 * The SQLite results database, and the only code that writes SQL. One file, WAL mode so a viewer can read while
 * an eval writes, and a busy timeout so two evals can share a file. Every write is one statement or one
 * transaction: a `kill -9` loses at most the calls in flight, and primary keys make a resumed run add nothing
 * twice. Completions and grades are content-addressed caches shared by all runs.
 *
 * @example
 * const store = ResultStore.open(".modelspec/results.db", { readonly: true });
 * try {
 *   for (const run of store.listRuns()) console.log(run.id, store.verdictTotals(run.id, "all")[0]);
 * } finally {
 *   store.close();
 * }
 */
export class ResultStore {
  /** The connection, exposed for tests that instrument queries; code outside `src/store` never uses it. */
  readonly db: Database.Database;
  private readonly connection: Connection;
  /** Statements are prepared once per connection (see connection.ts), SQLite failures become DatabaseErrors. */
  private readonly sql: Sql;

  private constructor(connection: Connection) {
    this.connection = connection;
    this.db = connection.db;
    this.sql = (text) => connection.sql(text);
  }

  /**
   * Opens (and creates, unless `readonly`) a results database, upgrading an older schema. A read-only open needs
   * an existing modelspec database; anything else is a `DatabaseError` naming the file.
   */
  static open(path: string, options: { readonly?: boolean } = {}): ResultStore {
    return new ResultStore(openConnection(path, options.readonly ?? false));
  }

  close(): void {
    this.connection.close();
  }

  // Runs

  /**
   * Creates the run, or marks an existing run with the same id as running again (resume). A `label` (null: none)
   * is stored, also on a resumed run; left undefined, a resumed run keeps its own.
   */
  startRun(
    run: Omit<StoredRun, "createdAt" | "finishedAt" | "status" | "heartbeatAt" | "label"> & {
      label?: string | null;
    },
  ): {
    run: StoredRun;
    resumed: boolean;
  } {
    const existing = this.getRun(run.id);
    if (existing) {
      const at = now();
      const label = run.label === undefined ? existing.label : run.label;
      this.sql(
        "UPDATE runs SET status = 'running', finished_at = NULL, heartbeat_at = ?, label = ? WHERE id = ?",
      ).run(at, label, run.id);
      return {
        run: { ...existing, status: "running", finishedAt: null, heartbeatAt: at, label },
        resumed: true,
      };
    }
    const at = now();
    const record: StoredRun = {
      ...run,
      createdAt: at,
      finishedAt: null,
      status: "running",
      heartbeatAt: at,
      label: run.label ?? null,
    };
    this.sql(
      `INSERT INTO runs (id, created_at, status, tool_version, spec_version, spec_hash, dataset, model, judge,
           parent_run_id, params, heartbeat_at, label) VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      record.id,
      record.createdAt,
      record.toolVersion,
      record.specVersion,
      record.specHash,
      record.dataset,
      record.model,
      record.judge,
      record.parentRunId,
      JSON.stringify(record.params),
      record.heartbeatAt,
      record.label,
    );
    return { run: record, resumed: false };
  }

  /** Replaces a run's stored configuration (to record something it lacked, e.g. a judge boundary token). */
  setRunParams(runId: string, params: unknown): void {
    this.sql("UPDATE runs SET params = ? WHERE id = ?").run(JSON.stringify(params), runId);
  }

  /**
   * The token stored under `name` in the database's meta table, storing `fresh` first when there is none: one
   * value per name for every process that shares the file (the grader keeps its judge-prompt boundary so, and its
   * cached grades stay valid across restarts).
   */
  keptToken(name: string, fresh: string): string {
    this.sql("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)").run(name, fresh);
    const row = this.sql("SELECT value FROM meta WHERE key = ?").get(name) as { value: string };
    return row.value;
  }

  /** Records that the process running the run is alive (a run whose heartbeat stops was interrupted). */
  touchRun(runId: string): void {
    this.sql("UPDATE runs SET heartbeat_at = ? WHERE id = ?").run(now(), runId);
  }

  finishRun(runId: string, status: Exclude<RunStatus, "running">): void {
    this.sql("UPDATE runs SET status = ?, finished_at = ? WHERE id = ?").run(status, now(), runId);
  }

  getRun(id: string): StoredRun | undefined {
    const row = this.sql("SELECT * FROM runs WHERE id = ?").get(id) as Row | undefined;
    return row ? toRun(row) : undefined;
  }

  /** Finds a run by id or unique id prefix; `latest` names the newest run. */
  findRun(ref: string): StoredRun {
    if (ref === "latest") {
      const row = this.sql("SELECT * FROM runs ORDER BY created_at DESC, rowid DESC LIMIT 1").get() as
        | Row
        | undefined;
      if (!row) throw new UsageError("no runs in this database yet");
      return toRun(row);
    }
    // A prefix, compared as text: `%` and `_` are characters, not patterns.
    const rows = this.sql("SELECT * FROM runs WHERE substr(id, 1, length(?)) = ? LIMIT 2").all(
      ref,
      ref,
    ) as Row[];
    if (rows.length === 0) throw new UsageError(`no run '${ref}' (see \`modelspec runs\`)`);
    if (rows.length > 1) throw new UsageError(`run prefix '${ref}' is ambiguous`);
    return toRun(rows[0] as Row);
  }

  /** Every run, newest first. */
  listRuns(): StoredRun[] {
    return (this.sql("SELECT * FROM runs ORDER BY created_at DESC, rowid DESC").all() as Row[]).map(toRun);
  }

  /** The distinct candidate models of the database's runs. */
  models(): string[] {
    return (this.sql("SELECT DISTINCT model FROM runs ORDER BY model").all() as { model: string }[]).map(
      (r) => r.model,
    );
  }

  // Samples

  /** Adds the run's samples, one row per sample and epoch; rows already present are kept as they are. */
  addSamples(runId: string, samples: Iterable<Sample>, epochs: number): number {
    const insert = this.sql(
      `INSERT OR IGNORE INTO run_samples (run_id, sample_id, epoch, position, sample, section_id, top_level_id, authority)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    let position = 0;
    const add = (batch: Sample[]) =>
      this.connection.transaction(() => {
        for (const sample of batch) {
          const json = JSON.stringify(sample);
          for (let epoch = 1; epoch <= epochs; epoch++) {
            insert.run(
              runId,
              sample.id,
              epoch,
              position++,
              json,
              sample.sectionId,
              sample.topLevelSectionId,
              sample.authority,
            );
          }
        }
      });
    let batch: Sample[] = [];
    for (const sample of samples) {
      batch.push(sample);
      if (batch.length === 1000) {
        add(batch);
        batch = [];
      }
    }
    add(batch);
    return position;
  }

  /** Copies another run's sample rows (and so its completions) into a new run: the base of regrade. */
  copySamples(fromRunId: string, toRunId: string): number {
    const result = this.sql(
      `INSERT OR IGNORE INTO run_samples (run_id, sample_id, epoch, position, sample, section_id, top_level_id,
           authority, completion_key, error_kind, error_message)
         SELECT ?, sample_id, epoch, position, sample, section_id, top_level_id, authority, completion_key,
           error_kind, error_message FROM run_samples WHERE run_id = ?`,
    ).run(toRunId, fromRunId);
    return result.changes;
  }

  /** Samples still to do (no verdict, or a verdict that was an error), in dataset order, one page at a time. */
  *pendingSamples(runId: string, pageSize = 500): Generator<RunSampleRow> {
    let after = -1;
    const page = this.sql(
      `SELECT s.* FROM run_samples s ${VERDICT_JOIN}
       WHERE s.run_id = ? AND s.position > ? AND (v.status IS NULL OR v.status = 'error')
       ORDER BY s.position LIMIT ?`,
    );
    for (;;) {
      const rows = page.all(runId, after, pageSize) as Row[];
      for (const row of rows) yield toRunSample(row);
      if (rows.length < pageSize) return;
      after = Number((rows.at(-1) as Row).position);
    }
  }

  /**
   * A run's samples; how many have a final verdict (an error verdict is retried, so not final); how many have no
   * verdict at all (pending).
   */
  countSamples(runId: string): { total: number; done: number; pending: number } {
    const row = this.sql(
      `SELECT COUNT(*) AS total, COUNT(v.status) FILTER (WHERE v.status != 'error') AS done,
           COUNT(*) FILTER (WHERE v.status IS NULL) AS pending
         FROM run_samples s ${VERDICT_JOIN}
         WHERE s.run_id = ?`,
    ).get(runId) as Row;
    return { total: Number(row.total), done: Number(row.done), pending: Number(row.pending) };
  }

  // Completions, grades and verdicts

  getCompletion(key: string): CompletionRecord | undefined {
    const row = this.sql("SELECT * FROM completions WHERE key = ?").get(key) as Row | undefined;
    return row ? toCompletion(row) : undefined;
  }

  putCompletion(c: CompletionRecord): void {
    this.sql(
      `INSERT OR IGNORE INTO completions (key, provider, text, input_tokens, output_tokens, cached_tokens,
           finish_reason, refusal, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      c.key,
      c.provider,
      c.text,
      c.inputTokens,
      c.outputTokens,
      c.cachedTokens,
      c.finishReason,
      c.refusal,
      now(),
    );
  }

  /** Links a sample to its completion, or records why none could be had. */
  setSampleCompletion(
    runId: string,
    sampleId: string,
    epoch: number,
    outcome: { key: string } | { errorKind: string; errorMessage: string },
  ): void {
    const key = "key" in outcome ? outcome.key : null;
    const kind = "key" in outcome ? null : outcome.errorKind;
    const message = "key" in outcome ? null : outcome.errorMessage;
    this.sql(
      `UPDATE run_samples SET completion_key = ?, error_kind = ?, error_message = ?
         WHERE run_id = ? AND sample_id = ? AND epoch = ?`,
    ).run(key, kind, message, runId, sampleId, epoch);
  }

  getGrade(key: string): GradeRecord | undefined {
    const row = this.sql("SELECT * FROM grades WHERE key = ?").get(key) as Row | undefined;
    return row ? toGrade(row) : undefined;
  }

  putGrade(g: GradeRecord): void {
    this.sql(
      `INSERT OR IGNORE INTO grades (key, judge, status, compliance, rationale, relied_on, failure_kind, raw,
           input_tokens, output_tokens, cached_tokens, created_at, severity, helpfulness)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      g.key,
      g.judge,
      g.status,
      g.compliance,
      g.rationale,
      JSON.stringify(g.reliedOn),
      g.failureKind,
      g.raw,
      g.inputTokens,
      g.outputTokens,
      g.cachedTokens,
      now(),
      g.severity,
      g.helpfulness,
    );
  }

  putVerdict(runId: string, sampleId: string, epoch: number, v: Omit<VerdictRecord, "drawn">): void {
    this.sql(
      `INSERT OR REPLACE INTO verdicts (run_id, sample_id, epoch, status, compliance, compliant, grade_keys,
           usable_grades, error_kind, error_message, severity, helpfulness, reward)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      runId,
      sampleId,
      epoch,
      v.status,
      v.compliance,
      v.compliant === null ? null : v.compliant ? 1 : 0,
      JSON.stringify(v.gradeKeys),
      v.usableGrades,
      v.errorKind,
      v.errorMessage,
      v.severity ?? null,
      v.helpfulness ?? null,
      v.reward ?? null,
    );
  }

  /** Every sample of a run with its completion, verdict and grades, in dataset order (paged, never all at once). */
  *runResults(runId: string, pageSize = 500): Generator<RunResultRow> {
    let after = -1;
    const page = this.sql(
      `SELECT s.*, c.text AS completion_text, c.input_tokens, c.output_tokens, c.finish_reason, c.refusal,
              v.status AS verdict_status, v.compliance, v.compliant, v.grade_keys, v.usable_grades,
              v.error_kind AS verdict_error_kind, v.error_message AS verdict_error_message,
              v.severity AS verdict_severity, v.helpfulness AS verdict_helpfulness, v.reward AS verdict_reward
       FROM run_samples s
       LEFT JOIN completions c ON c.key = s.completion_key
       ${VERDICT_JOIN}
       WHERE s.run_id = ? AND s.position > ? ORDER BY s.position LIMIT ?`,
    );
    for (;;) {
      const rows = page.all(runId, after, pageSize) as Row[];
      for (const row of rows) {
        const verdict = toVerdict(row, "verdict_");
        yield {
          ...toRunSample(row),
          completion:
            row.completion_text === null || row.completion_text === undefined
              ? null
              : {
                  text: String(row.completion_text),
                  inputTokens: Number(row.input_tokens),
                  outputTokens: Number(row.output_tokens),
                  finishReason: (row.finish_reason as string | null) ?? null,
                  refusal: (row.refusal as string | null) ?? null,
                },
          verdict,
          grades: (verdict?.gradeKeys ?? []).flatMap((k) => {
            const grade = this.getGrade(k);
            return grade ? [grade] : [];
          }),
        };
      }
      if (rows.length < pageSize) return;
      after = Number((rows.at(-1) as Row).position);
    }
  }

  // Aggregates and browsing (see aggregates.ts, sample-pages.ts, sample-detail.ts)

  /** A run's samples counted by verdict, per group; `"all"` gives exactly one row. */
  verdictTotals(runId: string, by: SampleGrouping): VerdictTotals[] {
    return verdictTotals(this.sql, runId, by);
  }

  /** A run's error (or ungraded) verdicts counted by kind. */
  verdictKinds(runId: string, status: "error" | "ungraded"): Record<string, number> {
    return verdictKinds(this.sql, runId, status);
  }

  /** The judge's answers over a run's grader samples: usable, unparseable, refused. */
  graderAnswers(runId: string): GraderAnswers {
    return graderAnswers(this.sql, runId);
  }

  tokenTotals(runId: string): { candidate: TokenTotals; judge: TokenTotals } {
    return tokenTotals(this.sql, runId);
  }

  /** A safe-completion run's rewards per prompt, and its verdicts by severity and helpfulness. */
  safeCompletionTotals(runId: string): SafeCompletionTotals {
    return safeCompletionTotals(this.sql, runId);
  }

  /** A run's prompts with a graded epoch: how many epochs were graded and how many compliant. */
  promptScores(runId: string): PromptScore[] {
    return promptScores(this.sql, runId);
  }

  shareSamples(runA: string, runB: string): boolean {
    return shareSamples(this.sql, runA, runB);
  }

  pairedVerdicts(runA: string, runB: string): PairedVerdict[] {
    return pairedVerdicts(this.sql, runA, runB);
  }

  samplePage(filter: SamplePageFilter, options: SamplePageOptions = {}): SamplePage {
    return samplePage(this.sql, filter, options);
  }

  sampleSections(runId?: string): string[] {
    return sampleSections(this.sql, runId);
  }

  sampleDetail(runId: string, sampleId: string, epoch: number): SampleDetail | null {
    return sampleDetail(this.sql, runId, sampleId, epoch);
  }

  lowestScoring(runId: string, limit?: number): Failures {
    return lowestScoring(this.sql, runId, limit);
  }

  /** One page of the samples graded in both runs and compliant in one only, with both answers. */
  flippedSamples(
    runA: string,
    runB: string,
    filter?: FlipFilter,
    options?: { after?: string; before?: string; limit?: number },
  ): FlipPage {
    return flippedSamples(this.sql, runA, runB, filter, options);
  }

  /**
   * The graded responses (with a completion) of these runs, one prompt's responses together: by sample id, then
   * the runs in the order given, then epoch, a page at a time.
   */
  gradedResponses(runIds: readonly string[], pageSize?: number): Generator<GradedResponse> {
    return gradedResponses(this.sql, runIds, pageSize);
  }

  /** Every run of the run's dataset that has the sample, with its answers and verdicts. */
  promptAnswers(runId: string, sampleId: string): PromptAnswer[] {
    return promptAnswers(this.sql, runId, sampleId);
  }

  /** A run's (or one section's) graded samples by score, failure kinds, error and ungraded reasons. */
  scoreBreakdown(runId: string, section?: string | null): ScoreBreakdown {
    return scoreBreakdown(this.sql, runId, section ?? null);
  }

  // Generations (modelspec generate; see generations.ts)

  /** Creates the generation, or marks the existing one with this id as running again (a resume). */
  startGeneration(generation: Pick<StoredGeneration, "id" | "toolVersion" | "params" | "boundary">): {
    generation: StoredGeneration;
    resumed: boolean;
  } {
    return startGeneration(this.sql, generation);
  }

  finishGeneration(id: string, status: Exclude<GenerationStatus, "running">): void {
    finishGeneration(this.sql, id, status);
  }

  /** A generator request's outcome and the prompts of its answer, in one transaction. */
  putGenerationTask(
    generationId: string,
    task: GenerationTaskRecord,
    items: Omit<GenerationItemRecord, "task">[],
  ): void {
    putGenerationTask(this.connection, this.sql, generationId, task, items);
  }

  generationTasks(generationId: string): GenerationTaskRecord[] {
    return generationTasks(this.sql, generationId);
  }

  generationItems(generationId: string): GenerationItemRecord[] {
    return generationItems(this.sql, generationId);
  }

  setGenerationItemStatus(
    generationId: string,
    item: Pick<GenerationItemRecord, "task" | "position" | "status" | "reason" | "note">,
  ): void {
    setGenerationItemStatus(this.sql, generationId, item);
  }
}
