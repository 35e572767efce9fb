import { UsageError } from "../errors.js";
import type { SpecModel } from "../spec/index.js";
import { wilsonInterval } from "../stats/index.js";
import type { ResultStore, RunStatus, TokenTotals, VerdictTotals } from "../store/index.js";
import { estimateCost } from "./prices.js";

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

/** A run's results: what `modelspec eval --json` and `modelspec report --json` print. */
export interface RunSummary {
  runId: string;
  status: RunStatus;
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

/** A compliance rate with its Wilson 95% interval over graded samples. */
export function rateCell(compliant: number, graded: number): RateCell {
  return {
    compliant,
    graded,
    rate: graded > 0 ? compliant / graded : null,
    ci95: wilsonInterval(compliant, graded),
  };
}

/**
 * Summarises a stored run from the store's aggregates (never loading its samples). `spec` supplies section
 * titles; without it they are null.
 */
export function summarize(store: ResultStore, runId: string, spec: SpecModel | null): RunSummary {
  const run = store.getRun(runId);
  if (!run) throw new UsageError(`no run '${runId}' (see \`modelspec runs\`)`);
  const titles = new Map(spec?.sections.map((s) => [s.id, s.title]));
  const rows = (totals: VerdictTotals[], withTitle: boolean): GroupRow[] =>
    totals.map((r) => ({
      id: r.id ?? "(none)",
      title: withTitle && r.id ? (titles.get(r.id) ?? null) : null,
      ...rateCell(r.compliant, r.graded),
      ungraded: r.ungraded,
      errors: r.errors,
      pending: r.pending,
    }));
  const all = store.verdictTotals(run.id, "all")[0] as VerdictTotals;
  const tokens = store.tokenTotals(run.id);
  return {
    runId: run.id,
    status: run.status,
    spec: { version: run.specVersion, hash: run.specHash },
    model: run.model,
    judge: run.judge,
    dataset: run.dataset,
    samples: all.total,
    overall: rateCell(all.compliant, all.graded),
    ungraded: all.ungraded,
    errors: all.errors,
    pending: all.pending,
    errorKinds: store.errorKinds(run.id),
    byTopLevel: rows(store.verdictTotals(run.id, "top"), true),
    bySection: rows(store.verdictTotals(run.id, "section"), true),
    byAuthority: rows(store.verdictTotals(run.id, "authority"), false),
    tokens,
    estimatedCostUsd: {
      candidate: estimateCost(run.model, tokens.candidate),
      judge: estimateCost(run.judge, tokens.judge),
    },
  };
}
