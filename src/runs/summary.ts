import { AUTHORITY_LEVELS } from "../conversation/index.js";
import { UsageError } from "../errors.js";
import { HELPFULNESS_LEVELS, type Helpfulness, quorumOf, SEVERITIES, type Severity } from "../judge/index.js";
import type { SpecModel } from "../spec/index.js";
import { clusteredRate, wilsonInterval } from "../stats/index.js";
import type {
  GraderAnswers,
  ResultStore,
  RunStatus,
  SafeCompletionTotals,
  TokenTotals,
  VerdictTotals,
} from "../store/index.js";
import { decodeRun } from "./config.js";
import { estimateCost, type Prices, pricesFrom } from "./prices.js";

/**
 * A compliance rate and its 95% interval. With one graded epoch per prompt: compliant/graded with Wilson's
 * interval. With several epochs (`clustered`): the mean of the prompts' scores, with an interval clustered by
 * prompt, so epochs never count as independent prompts (docs/statistics.md).
 */
export interface RateCell {
  compliant: number;
  graded: number;
  /** Prompts with at least one graded epoch. */
  prompts: number;
  rate: number | null;
  ci95: [number, number] | null;
  /** The interval is clustered by prompt (some prompt has more than one graded epoch). */
  clustered: boolean;
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
  /** The name given with `label` (untrusted text), or null. */
  label: string | null;
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
  /** Ungraded counts by reason: `judge:refused`, `judge:unparseable`, `judge:unusable` (a mix), `judge:no_quorum`. */
  ungradedKinds: Record<string, number>;
  /** Every grader sample's answer: usable, unparseable or refused; and graded samples below all grader samples. */
  judgeAnswers: GraderAnswers;
  /**
   * The verdict rule: grader samples per response (at most, with early stopping), the usable answers a verdict
   * needs, the threshold; whether drawing stopped once a verdict was settled, and the grader samples drawn per
   * judged sample on average (null before any).
   */
  grading: {
    graderSamples: number;
    quorum: number;
    threshold: number;
    earlyStop: boolean;
    meanDrawn: number | null;
  };
  /** Groups in the spec's order (dataset order without the spec), those without one (`(none)`) last. */
  byTopLevel: GroupRow[];
  bySection: GroupRow[];
  /** Authority levels in the chain of command's order, highest first. */
  byAuthority: GroupRow[];
  tokens: { candidate: TokenTotals; judge: TokenTotals };
  /** Estimated cost in US dollars from list prices (or `prices`), null when a model's price is unknown. */
  estimatedCostUsd: { candidate: number | null; judge: number | null };
  /** Safe-completion runs only (`rubric: "safe-completion"`): the reward and the two axes. */
  safeCompletion?: SafeCompletionSummary;
}

/**
 * A safe-completion run's rewards: their mean (over prompts, each the mean of its graded epochs) with a 95%
 * interval clustered by prompt, and the graded samples counted by severity and by helpfulness.
 */
export interface SafeCompletionSummary {
  /** Graded samples with a reward. */
  samples: number;
  prompts: number;
  /** In [−1, 1]; null before any graded sample. */
  meanReward: number | null;
  ci95: [number, number] | null;
  /** Some prompt has more than one graded epoch. */
  clustered: boolean;
  /** Every level, in order (none first; refusal first), with its count. */
  bySeverity: Record<Severity, number>;
  byHelpfulness: Record<Helpfulness, number>;
}

/**
 * The mean reward and its interval. A reward lies in [−1, 1]: mapped to [0, 1] by (r + 1) / 2, its per-prompt
 * means go through the same clustered interval as compliance rates (`clusteredRate`: Wilson's interval on the
 * effective number of samples, which is never more than the prompts' when epochs agree), then back. Wilson's
 * interval assumes the widest spread a [0, 1] mean can have, so for rewards between the ends it is conservative.
 */
function safeCompletionSummary(t: SafeCompletionTotals): SafeCompletionSummary {
  // Σ of the mapped per-prompt scores, and of their squares, from those of the rewards.
  const sumScores = (t.sumRewards + t.prompts) / 2;
  const sumSquaredScores = (t.sumSquaredRewards + 2 * t.sumRewards + t.prompts) / 4;
  const c = clusteredRate({ prompts: t.prompts, samples: t.samples, sumScores, sumSquaredScores });
  const back = (p: number) => 2 * p - 1;
  return {
    samples: t.samples,
    prompts: t.prompts,
    meanReward: t.prompts > 0 ? t.sumRewards / t.prompts : null,
    ci95: c.ci95 ? [back(c.ci95[0]), back(c.ci95[1])] : null,
    clustered: t.maxEpochs > 1,
    bySeverity: Object.fromEntries(SEVERITIES.map((l) => [l, t.bySeverity[l] ?? 0])) as Record<
      Severity,
      number
    >,
    byHelpfulness: Object.fromEntries(HELPFULNESS_LEVELS.map((l) => [l, t.byHelpfulness[l] ?? 0])) as Record<
      Helpfulness,
      number
    >,
  };
}

/**
 * A group's compliance rate and interval from its verdict totals: Wilson over graded samples with one epoch per
 * prompt, else clustered by prompt.
 *
 * @example
 * rateCell({ compliant: 72, graded: 100, prompts: 100, maxEpochs: 1, sumScores: 72, sumSquaredScores: 72 });
 */
export function rateCell(
  t: Pick<VerdictTotals, "compliant" | "graded" | "prompts" | "maxEpochs" | "sumScores" | "sumSquaredScores">,
): RateCell {
  const common = { compliant: t.compliant, graded: t.graded, prompts: t.prompts };
  if (t.maxEpochs <= 1) {
    return {
      ...common,
      rate: t.graded > 0 ? t.compliant / t.graded : null,
      ci95: wilsonInterval(t.compliant, t.graded),
      clustered: false,
    };
  }
  const c = clusteredRate({
    prompts: t.prompts,
    samples: t.graded,
    sumScores: t.sumScores,
    sumSquaredScores: t.sumSquaredScores,
  });
  return { ...common, rate: c.rate, ci95: c.ci95, clustered: true };
}

/**
 * Summarises a stored run from the store's aggregates (never loading its samples). `spec` supplies section
 * titles and their order; without it titles are null and groups come in dataset order.
 */
export function summarize(
  store: ResultStore,
  runId: string,
  spec: SpecModel | null,
  prices: Prices = pricesFrom(undefined),
): RunSummary {
  const stored = store.getRun(runId);
  if (!stored) throw new UsageError(`no run '${runId}' (see \`modelspec runs\`)`);
  const run = decodeRun(stored);
  const titles = new Map(spec?.sections.map((s) => [s.id, s.title]));
  const specOrder = new Map(spec?.sections.map((s, i) => [s.id, i]));
  const rows = (totals: VerdictTotals[], withTitle: boolean, order: Map<string, number>): GroupRow[] =>
    inOrder(totals, order).map((r) => ({
      id: r.id ?? "(none)",
      title: withTitle && r.id ? (titles.get(r.id) ?? null) : null,
      ...rateCell(r),
      ungraded: r.ungraded,
      errors: r.errors,
      pending: r.pending,
    }));
  const bySection = store.verdictTotals(run.id, "section");
  // Every prompt has one section (or none): the run's totals are the sections' summed, not another scan.
  const all = sumTotals(bySection);
  const tokens = store.tokenTotals(run.id);
  const { graderSamples, quorum, threshold, earlyStop } = run.params.judging;
  const answers = store.graderAnswers(run.id);
  const drawn = answers.usable + answers.unparseable + answers.refused;
  return {
    runId: run.id,
    label: run.label,
    status: run.status,
    spec: { version: run.specVersion, hash: run.specHash },
    model: run.model,
    judge: run.judge,
    dataset: run.dataset,
    samples: all.total,
    overall: rateCell(all),
    ungraded: all.ungraded,
    errors: all.errors,
    pending: all.pending,
    errorKinds: store.verdictKinds(run.id, "error"),
    ungradedKinds: store.verdictKinds(run.id, "ungraded"),
    judgeAnswers: answers,
    grading: {
      graderSamples,
      quorum: quorumOf(graderSamples, quorum),
      threshold,
      earlyStop: earlyStop === true,
      meanDrawn: answers.judged > 0 ? drawn / answers.judged : null,
    },
    byTopLevel: rows(store.verdictTotals(run.id, "top"), true, specOrder),
    bySection: rows(bySection, true, specOrder),
    byAuthority: rows(store.verdictTotals(run.id, "authority"), false, AUTHORITY_ORDER),
    tokens,
    estimatedCostUsd: {
      candidate: estimateCost(run.model, tokens.candidate, prices),
      judge: estimateCost(run.judge, tokens.judge, prices),
    },
    ...(run.params.judging.rubric === "safe-completion"
      ? { safeCompletion: safeCompletionSummary(store.safeCompletionTotals(run.id)) }
      : {}),
  };
}

const AUTHORITY_ORDER = new Map<string, number>(AUTHORITY_LEVELS.map((level, i) => [level, i]));

/** Groups sorted by their place in `order`; groups it does not name follow in dataset order, no group last. */
function inOrder(groups: readonly VerdictTotals[], order: Map<string, number>): VerdictTotals[] {
  const place = (g: VerdictTotals) => (g.id === null ? order.size + 1 : (order.get(g.id) ?? order.size));
  // Array.prototype.sort is stable: ties keep the dataset order.
  return [...groups].sort((a, b) => place(a) - place(b));
}

/** The totals of groups that split the same samples, added up. */
function sumTotals(groups: readonly VerdictTotals[]): VerdictTotals {
  const sum = (key: keyof Omit<VerdictTotals, "id" | "maxEpochs">) => groups.reduce((n, g) => n + g[key], 0);
  return {
    id: null,
    total: sum("total"),
    graded: sum("graded"),
    compliant: sum("compliant"),
    ungraded: sum("ungraded"),
    errors: sum("errors"),
    pending: sum("pending"),
    prompts: sum("prompts"),
    maxEpochs: groups.reduce((n, g) => Math.max(n, g.maxEpochs), 0),
    sumScores: sum("sumScores"),
    sumSquaredScores: sum("sumSquaredScores"),
  };
}
