import type { SpecModel } from "../spec/index.js";
import type { ResultStore, RunRecord } from "../store/index.js";
import { wilsonInterval } from "./stats.js";

export interface RateCell {
  compliant: number;
  graded: number;
  rate: number | null;
  ci95: [number, number] | null;
}

export interface GroupRow extends RateCell {
  id: string;
  title: string | null;
  ungraded: number;
  errors: number;
  pending: number;
}

export interface TokenTotals {
  input: number;
  output: number;
  cachedInput: number;
}

export interface RunSummary {
  runId: string;
  status: RunRecord["status"];
  spec: { version: string | null; hash: string };
  model: string;
  judge: string;
  dataset: string;
  samples: number;
  overall: RateCell;
  ungraded: number;
  errors: number;
  pending: number;
  /** Error counts by kind, e.g. `completion:rate_limit`. */
  errorKinds: Record<string, number>;
  byTopLevel: GroupRow[];
  bySection: GroupRow[];
  byAuthority: GroupRow[];
  tokens: { candidate: TokenTotals; judge: TokenTotals };
  /** Estimated cost in US dollars from list prices, null when a model's price is unknown. */
  estimatedCostUsd: { candidate: number | null; judge: number | null };
}

const cell = (compliant: number, graded: number): RateCell => ({
  compliant,
  graded,
  rate: graded > 0 ? compliant / graded : null,
  ci95: wilsonInterval(compliant, graded),
});

/** Aggregates a run in SQL, so a report of 100 000 samples never loads them into memory. */
export function summarizeRun(store: ResultStore, runId: string, spec: SpecModel | null): RunSummary {
  const run = store.getRun(runId);
  if (!run) throw new Error(`no run ${runId}`);
  const group = (column: string) =>
    store.db
      .prepare(
        `SELECT ${column} AS id,
           COUNT(*) AS total,
           COUNT(*) FILTER (WHERE v.status = 'graded') AS graded,
           COUNT(*) FILTER (WHERE v.compliant = 1) AS compliant,
           COUNT(*) FILTER (WHERE v.status = 'ungraded') AS ungraded,
           COUNT(*) FILTER (WHERE v.status = 'error') AS errors,
           COUNT(*) FILTER (WHERE v.status IS NULL) AS pending
         FROM run_samples s LEFT JOIN verdicts v
           ON v.run_id = s.run_id AND v.sample_id = s.sample_id AND v.epoch = s.epoch
         WHERE s.run_id = ? GROUP BY ${column} ORDER BY MIN(s.position)`,
      )
      .all(runId) as {
      id: string | null;
      total: number;
      graded: number;
      compliant: number;
      ungraded: number;
      errors: number;
      pending: number;
    }[];
  const title = (id: string | null) => (id ? (spec?.sections.find((s) => s.id === id)?.title ?? null) : null);
  const rows = (column: string, label: (id: string | null) => string | null = title) =>
    group(column).map((r) => ({
      id: r.id ?? "(none)",
      title: label(r.id),
      ...cell(r.compliant, r.graded),
      ungraded: r.ungraded,
      errors: r.errors,
      pending: r.pending,
    }));
  const byAuthority = rows("CASE s.authority WHEN 'platform' THEN 'root' ELSE s.authority END", () => null);
  const totals = group("'all'")[0] ?? {
    total: 0,
    graded: 0,
    compliant: 0,
    ungraded: 0,
    errors: 0,
    pending: 0,
  };

  const errorKinds = Object.fromEntries(
    (
      store.db
        .prepare(
          `SELECT error_kind AS kind, COUNT(*) AS n FROM verdicts WHERE run_id = ? AND status = 'error' GROUP BY error_kind`,
        )
        .all(runId) as { kind: string; n: number }[]
    ).map((r) => [r.kind, r.n]),
  );
  const candidate = store.db
    .prepare(
      `SELECT COALESCE(SUM(c.input_tokens), 0) AS input, COALESCE(SUM(c.output_tokens), 0) AS output,
         COALESCE(SUM(c.cached_tokens), 0) AS cachedInput
       FROM run_samples s JOIN completions c ON c.key = s.completion_key WHERE s.run_id = ?`,
    )
    .get(runId) as TokenTotals;
  const judge = store.db
    .prepare(
      `SELECT COALESCE(SUM(g.input_tokens), 0) AS input, COALESCE(SUM(g.output_tokens), 0) AS output,
         COALESCE(SUM(g.cached_tokens), 0) AS cachedInput
       FROM verdicts v, json_each(v.grade_keys) k JOIN grades g ON g.key = k.value WHERE v.run_id = ?`,
    )
    .get(runId) as TokenTotals;

  return {
    runId,
    status: run.status,
    spec: { version: run.specVersion, hash: run.specHash },
    model: run.model,
    judge: run.judge,
    dataset: run.dataset,
    samples: totals.total,
    overall: cell(totals.compliant, totals.graded),
    ungraded: totals.ungraded,
    errors: totals.errors,
    pending: totals.pending,
    errorKinds,
    byTopLevel: rows("s.top_level_id"),
    bySection: rows("s.section_id"),
    byAuthority,
    tokens: { candidate, judge },
    estimatedCostUsd: {
      candidate: estimateCost(run.model, candidate),
      judge: estimateCost(run.judge, judge),
    },
  };
}

/**
 * Approximate list prices in USD per million tokens (input, output), for the cost estimate only. Local and
 * replayed models cost nothing; unknown models give null rather than a guess.
 */
const PRICES: Record<string, [number, number]> = {
  "openai:gpt-4.1": [2, 8],
  "openai:gpt-4.1-mini": [0.4, 1.6],
  "openai:gpt-4.1-nano": [0.1, 0.4],
  "openai:gpt-4o": [2.5, 10],
  "openai:gpt-4o-mini": [0.15, 0.6],
  "openai:gpt-5": [1.25, 10],
  "openai:gpt-5-mini": [0.25, 2],
  "anthropic:claude-sonnet-4-5": [3, 15],
  "anthropic:claude-haiku-4-5": [1, 5],
  "anthropic:claude-opus-4-1": [15, 75],
};

export function estimateCost(model: string, tokens: TokenTotals): number | null {
  if (model.startsWith("local:") || model.startsWith("replay:")) return 0;
  const price = PRICES[model];
  if (!price) return null;
  return (tokens.input * price[0] + tokens.output * price[1]) / 1_000_000;
}
