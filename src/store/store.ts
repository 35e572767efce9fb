import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { Sample } from "../dataset/index.js";
import { SpecError } from "../spec/index.js";
import { SCHEMA_SQL, SCHEMA_VERSION } from "./schema.js";

export interface RunRecord {
  id: string;
  createdAt: string;
  finishedAt: string | null;
  status: "running" | "completed" | "interrupted";
  toolVersion: string;
  specVersion: string | null;
  specHash: string;
  dataset: string;
  model: string;
  judge: string;
  parentRunId: string | null;
  params: Record<string, unknown>;
}

export interface CompletionRecord {
  key: string;
  provider: string;
  text: string;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number | null;
  finishReason: string | null;
  refusal: string | null;
}

export interface GradeRecord {
  key: string;
  judge: string;
  status: "ok" | "unparseable" | "refused";
  compliance: number | null;
  rationale: string | null;
  reliedOn: string[];
  failureKind: string | null;
  raw: string;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number | null;
}

export interface VerdictRecord {
  status: "graded" | "ungraded" | "error";
  compliance: number | null;
  compliant: boolean | null;
  gradeKeys: string[];
  errorKind: string | null;
  errorMessage: string | null;
}

export interface RunSampleRow {
  sampleId: string;
  epoch: number;
  position: number;
  sample: Sample;
  completionKey: string | null;
  errorKind: string | null;
  errorMessage: string | null;
}

type Row = Record<string, unknown>;
const now = () => new Date().toISOString();

/**
 * The SQLite results store (one file, WAL mode so a viewer can read while an eval writes, and a busy timeout so
 * two evals can share a file). Every write is one statement or one transaction: a `kill -9` loses at most the
 * call in flight, and primary keys make a resumed run add nothing twice.
 */
export class ResultStore {
  readonly db: Database.Database;
  /**
   * Prepared once per connection: a run makes several statements per sample, and a statement prepared per
   * call holds native memory until the garbage collector finds it, which at 100 000 samples is tens of MB.
   */
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(db: Database.Database) {
    this.db = db;
  }

  private sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  static open(path: string, options: { readonly?: boolean } = {}): ResultStore {
    let db: Database.Database | undefined;
    try {
      if (!options.readonly) mkdirSync(dirname(path), { recursive: true });
      db = new Database(path, {
        readonly: options.readonly ?? false,
        fileMustExist: options.readonly ?? false,
      });
      db.pragma("busy_timeout = 15000");
      // SQLite reads the file lazily: a file that is not a database fails here, on the first read.
      if (options.readonly) db.prepare("SELECT COUNT(*) FROM sqlite_master").get();
      else {
        db.pragma("journal_mode = WAL");
        db.pragma("synchronous = NORMAL");
      }
    } catch (error) {
      db?.close();
      throw new SpecError(`${path}: cannot open results database (${(error as Error).message})`);
    }
    if (!options.readonly) {
      db.exec("BEGIN IMMEDIATE");
      try {
        db.exec(SCHEMA_SQL);
        const version = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as
          | Row
          | undefined;
        if (version && Number(version.value) !== SCHEMA_VERSION) {
          throw new SpecError(
            `${path}: results database schema ${version.value}, this modelspec reads ${SCHEMA_VERSION}`,
          );
        }
        db.prepare("INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)").run(
          String(SCHEMA_VERSION),
        );
        db.exec("COMMIT");
      } catch (error) {
        db.exec("ROLLBACK");
        db.close();
        throw error;
      }
    }
    return new ResultStore(db);
  }

  close(): void {
    this.db.close();
  }

  /** Creates the run, or marks an existing run with the same id as running again (resume). */
  startRun(run: Omit<RunRecord, "createdAt" | "finishedAt" | "status">): {
    run: RunRecord;
    resumed: boolean;
  } {
    const existing = this.getRun(run.id);
    if (existing) {
      this.sql("UPDATE runs SET status = 'running', finished_at = NULL WHERE id = ?").run(run.id);
      return { run: { ...existing, status: "running", finishedAt: null }, resumed: true };
    }
    const record: RunRecord = { ...run, createdAt: now(), finishedAt: null, status: "running" };
    this.sql(
      `INSERT INTO runs (id, created_at, status, tool_version, spec_version, spec_hash, dataset, model, judge,
           parent_run_id, params) VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?)`,
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
    );
    return { run: record, resumed: false };
  }

  finishRun(runId: string, status: "completed" | "interrupted"): void {
    this.sql("UPDATE runs SET status = ?, finished_at = ? WHERE id = ?").run(status, now(), runId);
  }

  getRun(id: string): RunRecord | undefined {
    const row = this.sql("SELECT * FROM runs WHERE id = ?").get(id) as Row | undefined;
    return row ? toRun(row) : undefined;
  }

  /** Finds a run by id or unique id prefix; `latest` names the newest run. */
  findRun(ref: string): RunRecord {
    if (ref === "latest") {
      const row = this.sql("SELECT * FROM runs ORDER BY created_at DESC, rowid DESC LIMIT 1").get() as
        | Row
        | undefined;
      if (!row) throw new SpecError("no runs in this database yet");
      return toRun(row);
    }
    const rows = this.sql("SELECT * FROM runs WHERE id LIKE ? || '%' LIMIT 2").all(ref) as Row[];
    if (rows.length === 0) throw new SpecError(`no run '${ref}' (see \`modelspec runs\`)`);
    if (rows.length > 1) throw new SpecError(`run prefix '${ref}' is ambiguous`);
    return toRun(rows[0] as Row);
  }

  listRuns(): RunRecord[] {
    return (this.sql("SELECT * FROM runs ORDER BY created_at DESC, rowid DESC").all() as Row[]).map(toRun);
  }

  /** Adds the run's samples (each epoch a row); rows already present are kept as they are. */
  addSamples(runId: string, samples: Iterable<Sample>, epochs: number): number {
    const insert = this.sql(
      `INSERT OR IGNORE INTO run_samples (run_id, sample_id, epoch, position, sample, section_id, top_level_id, authority)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    let position = 0;
    const add = this.db.transaction((batch: Sample[]) => {
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
      `SELECT s.* FROM run_samples s LEFT JOIN verdicts v
         ON v.run_id = s.run_id AND v.sample_id = s.sample_id AND v.epoch = s.epoch
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

  countSamples(runId: string): { total: number; done: number } {
    const row = this.sql(
      `SELECT COUNT(*) AS total, COUNT(v.status) FILTER (WHERE v.status != 'error') AS done
         FROM run_samples s LEFT JOIN verdicts v
           ON v.run_id = s.run_id AND v.sample_id = s.sample_id AND v.epoch = s.epoch
         WHERE s.run_id = ?`,
    ).get(runId) as Row;
    return { total: Number(row.total), done: Number(row.done) };
  }

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
           input_tokens, output_tokens, cached_tokens, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
    );
  }

  putVerdict(runId: string, sampleId: string, epoch: number, v: VerdictRecord): void {
    this.sql(
      `INSERT OR REPLACE INTO verdicts (run_id, sample_id, epoch, status, compliance, compliant, grade_keys,
           error_kind, error_message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      runId,
      sampleId,
      epoch,
      v.status,
      v.compliance,
      v.compliant === null ? null : v.compliant ? 1 : 0,
      JSON.stringify(v.gradeKeys),
      v.errorKind,
      v.errorMessage,
    );
  }

  /** Every sample of a run with its completion, verdict and grades, in dataset order (paged, never all at once). */
  *runResults(runId: string, pageSize = 500): Generator<RunResultRow> {
    let after = -1;
    const page = this.sql(
      `SELECT s.*, c.text AS completion_text, c.input_tokens, c.output_tokens, c.cached_tokens, c.finish_reason,
              c.refusal, v.status AS verdict_status, v.compliance, v.compliant, v.grade_keys,
              v.error_kind AS verdict_error_kind, v.error_message AS verdict_error_message
       FROM run_samples s
       LEFT JOIN completions c ON c.key = s.completion_key
       LEFT JOIN verdicts v ON v.run_id = s.run_id AND v.sample_id = s.sample_id AND v.epoch = s.epoch
       WHERE s.run_id = ? AND s.position > ? ORDER BY s.position LIMIT ?`,
    );
    for (;;) {
      const rows = page.all(runId, after, pageSize) as Row[];
      for (const row of rows) {
        const keys = row.grade_keys ? (JSON.parse(String(row.grade_keys)) as string[]) : [];
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
          verdict:
            row.verdict_status === null || row.verdict_status === undefined
              ? null
              : {
                  status: row.verdict_status as VerdictRecord["status"],
                  compliance: row.compliance === null ? null : Number(row.compliance),
                  compliant: row.compliant === null ? null : row.compliant === 1,
                  gradeKeys: keys,
                  errorKind: (row.verdict_error_kind as string | null) ?? null,
                  errorMessage: (row.verdict_error_message as string | null) ?? null,
                },
          grades: keys.map((k) => this.getGrade(k)).filter((g): g is GradeRecord => g !== undefined),
        };
      }
      if (rows.length < pageSize) return;
      after = Number((rows.at(-1) as Row).position);
    }
  }
}

export interface RunResultRow extends RunSampleRow {
  completion: {
    text: string;
    inputTokens: number;
    outputTokens: number;
    finishReason: string | null;
    refusal: string | null;
  } | null;
  verdict: VerdictRecord | null;
  grades: GradeRecord[];
}

function toRun(row: Row): RunRecord {
  return {
    id: String(row.id),
    createdAt: String(row.created_at),
    finishedAt: (row.finished_at as string | null) ?? null,
    status: row.status as RunRecord["status"],
    toolVersion: String(row.tool_version),
    specVersion: (row.spec_version as string | null) ?? null,
    specHash: String(row.spec_hash),
    dataset: String(row.dataset),
    model: String(row.model),
    judge: String(row.judge),
    parentRunId: (row.parent_run_id as string | null) ?? null,
    params: JSON.parse(String(row.params)) as Record<string, unknown>,
  };
}

function toRunSample(row: Row): RunSampleRow {
  return {
    sampleId: String(row.sample_id),
    epoch: Number(row.epoch),
    position: Number(row.position),
    sample: JSON.parse(String(row.sample)) as Sample,
    completionKey: (row.completion_key as string | null) ?? null,
    errorKind: (row.error_kind as string | null) ?? null,
    errorMessage: (row.error_message as string | null) ?? null,
  };
}

function toCompletion(row: Row): CompletionRecord {
  return {
    key: String(row.key),
    provider: String(row.provider),
    text: String(row.text),
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    cachedTokens: row.cached_tokens === null ? null : Number(row.cached_tokens),
    finishReason: (row.finish_reason as string | null) ?? null,
    refusal: (row.refusal as string | null) ?? null,
  };
}

function toGrade(row: Row): GradeRecord {
  return {
    key: String(row.key),
    judge: String(row.judge),
    status: row.status as GradeRecord["status"],
    compliance: row.compliance === null ? null : Number(row.compliance),
    rationale: (row.rationale as string | null) ?? null,
    reliedOn: JSON.parse(String(row.relied_on ?? "[]")) as string[],
    failureKind: (row.failure_kind as string | null) ?? null,
    raw: String(row.raw),
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    cachedTokens: row.cached_tokens === null ? null : Number(row.cached_tokens),
  };
}
