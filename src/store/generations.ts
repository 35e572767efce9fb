/**
 * What `modelspec generate` keeps in the results database: the generation (keyed by its parameters), each request
 * made to the generator (a task, done once), and each prompt the generator wrote with what became of it. A re-run of
 * the same command finds them and asks only for what is missing.
 */
import type { Connection } from "./connection.js";
import type { Row } from "./records.js";
import type { Sql } from "./sql.js";

export type GenerationStatus = "running" | "completed" | "interrupted";

/**
 * What became of a generated prompt: `pending` (waiting for the validator), `accepted` (valid), `rejected` (by
 * the validator), `duplicate` (near an earlier one), and in adaptive rounds `failed` (the candidate failed it:
 * kept), `passed` (the candidate passed it: dropped) or `ungraded` (no verdict: dropped).
 */
export type GenerationItemStatus =
  | "pending"
  | "accepted"
  | "rejected"
  | "duplicate"
  | "failed"
  | "passed"
  | "ungraded";

export interface StoredGeneration {
  id: string;
  createdAt: string;
  finishedAt: string | null;
  status: GenerationStatus;
  toolVersion: string;
  params: unknown;
  boundary: string;
}

export interface GenerationTaskRecord {
  task: string;
  ok: boolean;
  /** Why each unusable answer was unusable, in order. */
  invalid: string[];
}

export interface GenerationItemRecord {
  task: string;
  position: number;
  itemId: string;
  sectionId: string;
  round: number;
  parentId: string | null;
  status: GenerationItemStatus;
  reason: string | null;
  note: string | null;
  /** The output record (JSON), decoded by the generate module. */
  record: unknown;
}

const now = () => new Date().toISOString();

/** Creates the generation, or marks the existing one with this id as running again (a resume). */
export function startGeneration(
  sql: Sql,
  generation: Pick<StoredGeneration, "id" | "toolVersion" | "params" | "boundary">,
): { generation: StoredGeneration; resumed: boolean } {
  const existing = getGeneration(sql, generation.id);
  if (existing) {
    sql("UPDATE generations SET status = 'running', finished_at = NULL WHERE id = ?").run(generation.id);
    return { generation: { ...existing, status: "running", finishedAt: null }, resumed: true };
  }
  const record: StoredGeneration = {
    ...generation,
    createdAt: now(),
    finishedAt: null,
    status: "running",
  };
  sql(
    `INSERT INTO generations (id, created_at, status, tool_version, params, boundary)
       VALUES (?, ?, 'running', ?, ?, ?)`,
  ).run(record.id, record.createdAt, record.toolVersion, JSON.stringify(record.params), record.boundary);
  return { generation: record, resumed: false };
}

function getGeneration(sql: Sql, id: string): StoredGeneration | undefined {
  const row = sql("SELECT * FROM generations WHERE id = ?").get(id) as Row | undefined;
  if (!row) return undefined;
  return {
    id: String(row.id),
    createdAt: String(row.created_at),
    finishedAt: (row.finished_at as string | null) ?? null,
    status: row.status as GenerationStatus,
    toolVersion: String(row.tool_version),
    params: JSON.parse(String(row.params)),
    boundary: String(row.boundary),
  };
}

export function finishGeneration(sql: Sql, id: string, status: Exclude<GenerationStatus, "running">): void {
  sql("UPDATE generations SET status = ?, finished_at = ? WHERE id = ?").run(status, now(), id);
}

/** A generator request's outcome and the prompts of its answer, stored together (one transaction). */
export function putGenerationTask(
  connection: Connection,
  sql: Sql,
  generationId: string,
  task: GenerationTaskRecord,
  items: Omit<GenerationItemRecord, "task">[],
): void {
  connection.transaction(() => {
    sql(
      `INSERT OR REPLACE INTO generation_tasks (generation_id, task, ok, invalid, created_at)
         VALUES (?, ?, ?, ?, ?)`,
    ).run(generationId, task.task, task.ok ? 1 : 0, JSON.stringify(task.invalid), now());
    const insert = sql(
      `INSERT OR REPLACE INTO generation_items (generation_id, task, position, item_id, section_id, round,
           parent_id, status, reason, note, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const item of items) {
      insert.run(
        generationId,
        task.task,
        item.position,
        item.itemId,
        item.sectionId,
        item.round,
        item.parentId,
        item.status,
        item.reason,
        item.note,
        JSON.stringify(item.record),
      );
    }
  });
}

export function generationTasks(sql: Sql, generationId: string): GenerationTaskRecord[] {
  const rows = sql("SELECT * FROM generation_tasks WHERE generation_id = ? ORDER BY rowid").all(
    generationId,
  ) as Row[];
  return rows.map((row) => ({
    task: String(row.task),
    ok: Number(row.ok) === 1,
    invalid: JSON.parse(String(row.invalid)) as string[],
  }));
}

/** Every prompt of a generation, in the order they were stored. */
export function generationItems(sql: Sql, generationId: string): GenerationItemRecord[] {
  const rows = sql("SELECT * FROM generation_items WHERE generation_id = ? ORDER BY rowid").all(
    generationId,
  ) as Row[];
  return rows.map((row) => ({
    task: String(row.task),
    position: Number(row.position),
    itemId: String(row.item_id),
    sectionId: String(row.section_id),
    round: Number(row.round),
    parentId: (row.parent_id as string | null) ?? null,
    status: row.status as GenerationItemStatus,
    reason: (row.reason as string | null) ?? null,
    note: (row.note as string | null) ?? null,
    record: JSON.parse(String(row.record)),
  }));
}

/** What became of one prompt (validated, graded). */
export function setGenerationItemStatus(
  sql: Sql,
  generationId: string,
  item: Pick<GenerationItemRecord, "task" | "position" | "status" | "reason" | "note">,
): void {
  sql(
    `UPDATE generation_items SET status = ?, reason = ?, note = ?
       WHERE generation_id = ? AND task = ? AND position = ?`,
  ).run(item.status, item.reason, item.note, generationId, item.task, item.position);
}
