/**
 * What each page shows, as data: the JSON API returns these objects and the HTML pages render them, so both
 * always agree. Request parameters are checked here; a missing thing is a `NotFound`.
 */
import {
  type Results,
  type RunComparison,
  type RunRecord,
  type RunSummary,
  rateCell,
} from "../runs/index.js";
import {
  diffSectionTexts,
  diffSpecs,
  findSection,
  type Section,
  type SectionTextChange,
  type SpecDiff,
  type SpecModel,
} from "../spec/index.js";
import {
  DEFAULT_PAGE_SIZE,
  type Failures,
  type FlipFilter,
  type FlipPage,
  isSampleSort,
  isVerdictFilter,
  type PromptAnswer,
  type SampleDetail,
  type SamplePage,
  type SamplePageFilter,
  type ScoreBreakdown,
  type VerdictTotals,
} from "../store/index.js";
import type { SpecCatalogue, SpecChoice } from "./data/specs.js";

export class NotFound extends Error {}

export interface ViewerContext {
  results: Results;
  specs: SpecCatalogue;
  /** The database path, as given. */
  db: string;
  /** What was computed for finished runs (they no longer change), by what, run id, status and finish time. */
  cache?: Map<string, unknown>;
}

/**
 * Aggregating a 100 000-sample run takes about a second, so what is computed for a finished run is kept; a
 * running one is recomputed on every request (it is still changing). A resumed run has a new key.
 */
function cached<T>(ctx: ViewerContext, what: string, r: RunRecord, compute: () => T): T {
  if (r.status === "running") return compute();
  const key = `${what}\0${r.id}\0${r.status}\0${r.finishedAt}`;
  ctx.cache ??= new Map();
  if (!ctx.cache.has(key)) ctx.cache.set(key, compute());
  return ctx.cache.get(key) as T;
}

const summaryOf = (ctx: ViewerContext, r: RunRecord): RunSummary =>
  cached(ctx, "summary", r, () => ctx.results.summary(r, { spec: ctx.specs.forRun(r) }));

export type Params = Record<string, string | undefined>;

/** A run with its sample counts and overall compliance, for the runs list. */
export interface RunListItem extends RunRecord {
  samples: number;
  graded: number;
  compliant: number;
  ungraded: number;
  errors: number;
  pending: number;
  rate: number | null;
  ci95: [number, number] | null;
}

/** Every run, newest first, with its totals. */
export function runs(ctx: ViewerContext): RunListItem[] {
  return ctx.results.listRuns().map((run) => {
    const t: VerdictTotals = cached(ctx, "totals", run, () => ctx.results.totals(run.id));
    const { rate, ci95 } = rateCell(t);
    return {
      ...run,
      samples: t.total,
      graded: t.graded,
      compliant: t.compliant,
      ungraded: t.ungraded,
      errors: t.errors,
      pending: t.pending,
      rate,
      ci95,
    };
  });
}

function run(ctx: ViewerContext, ref: string): RunRecord {
  try {
    return ctx.results.findRun(ref);
  } catch (error) {
    throw new NotFound((error as Error).message);
  }
}

export interface RunOverview {
  run: RunRecord;
  summary: RunSummary;
  failures: Failures;
  /** Scores and failure kinds of the run, or of the section the `section` parameter names. */
  breakdown: ScoreBreakdown;
}

export function runOverview(ctx: ViewerContext, ref: string, q: Params = {}): RunOverview {
  const r = run(ctx, ref);
  const summary = summaryOf(ctx, r);
  if (q.section && !summary.bySection.some((s) => s.id === q.section)) {
    throw new NotFound(`no section '${q.section}' in ${r.id}`);
  }
  return {
    run: r,
    summary,
    failures: cached(ctx, "failures", r, () => ctx.results.lowestScoring(r.id)),
    breakdown: q.section
      ? ctx.results.scoreBreakdown(r.id, q.section)
      : cached(ctx, "breakdown", r, () => ctx.results.scoreBreakdown(r.id)),
  };
}

export interface SampleTable {
  page: SamplePage;
  runs: { id: string; model: string }[];
  models: string[];
  sections: string[];
}

/** The longest search text the sample table takes. */
const MAX_SEARCH = 200;

/**
 * One page of the sample table: filters `run`, `model`, `section`, `verdict`, a search `q` (prompts and
 * responses, any case), a `sort` and the keyset cursors `after` / `before`.
 */
export function sampleTable(ctx: ViewerContext, q: Params): SampleTable {
  const filter: SamplePageFilter = {};
  if (q.run) filter.run = run(ctx, q.run).id;
  if (q.model) filter.model = q.model;
  if (q.section) filter.section = q.section;
  if (q.verdict) {
    if (!isVerdictFilter(q.verdict)) throw new NotFound(`no verdict '${q.verdict}'`);
    filter.verdict = q.verdict;
  }
  const search = q.q?.trim();
  if (search) {
    if (search.length > MAX_SEARCH) throw new NotFound(`search text is at most ${MAX_SEARCH} characters`);
    filter.search = search;
  }
  if (q.sort && !isSampleSort(q.sort)) throw new NotFound(`no sort '${q.sort}'`);
  const sort = q.sort && isSampleSort(q.sort) ? q.sort : undefined;
  const limit = q.limit ? Number(q.limit) : DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new NotFound(`limit must be 1-500`);
  return {
    page: ctx.results.samplePage(filter, { after: q.after, before: q.before, limit, sort }),
    runs: ctx.results.listRuns().map((r) => ({ id: r.id, model: r.model })),
    models: ctx.results.models(),
    sections: ctx.results.sampleSections(filter.run),
  };
}

export interface SampleView {
  run: RunRecord;
  detail: SampleDetail;
  spec: SpecModel | null;
  section: Section | null;
}

export function sample(ctx: ViewerContext, ref: string, q: Params): SampleView {
  const r = run(ctx, ref);
  const epoch = q.epoch ? Number(q.epoch) : 1;
  const detail = q.id && Number.isInteger(epoch) ? ctx.results.sampleDetail(r.id, q.id, epoch) : null;
  if (!detail) throw new NotFound(`no sample '${q.id ?? ""}' (epoch ${q.epoch ?? 1}) in ${r.id}`);
  const spec = ctx.specs.forRun(r);
  const section =
    spec && detail.sample.sectionId ? (findSection(spec, detail.sample.sectionId) ?? null) : null;
  return { run: r, detail, spec, section };
}

export interface PromptView {
  run: RunRecord;
  detail: SampleDetail;
  /** Every run of the same dataset with this sample id, newest first, one entry per epoch. */
  answers: PromptAnswer[];
}

/** One prompt (sample id `id`) across the runs of `ref`'s dataset. */
export function prompt(ctx: ViewerContext, ref: string, q: Params): PromptView {
  const r = run(ctx, ref);
  const answers = q.id ? ctx.results.promptAnswers(r.id, q.id) : [];
  const own = answers.find((a) => a.runId === r.id);
  const detail = q.id && own ? ctx.results.sampleDetail(r.id, q.id, own.epoch) : null;
  if (!detail) throw new NotFound(`no sample '${q.id ?? ""}' in ${r.id}`);
  return { run: r, detail, answers };
}

export interface CompareView {
  runs: { id: string; model: string; judge: string }[];
  a?: string;
  b?: string;
  result?: { a: RunSummary; b: RunSummary; comparison: RunComparison };
}

/** Runs over the same samples: a run and its regrade, or two runs of one dataset on one spec. */
function related(x: RunRecord, y: RunRecord): boolean {
  return (
    x.id === y.parentRunId || y.id === x.parentRunId || (x.dataset === y.dataset && x.specHash === y.specHash)
  );
}

/** Without `a` and `b`: the newest run that has a related older run, against that run; else the two newest. */
function defaultPair(all: RunRecord[]): [string | undefined, string | undefined] {
  for (const [i, b] of all.entries()) {
    const a = all.slice(i + 1).find((r) => related(r, b));
    if (a) return [a.id, b.id];
  }
  return [all[1]?.id, all[0]?.id];
}

export function compare(ctx: ViewerContext, q: Params): CompareView {
  const all = ctx.results.listRuns();
  const runsList = all.map((r) => ({ id: r.id, model: r.model, judge: r.judge }));
  const [defaultA, defaultB] = defaultPair(all);
  const aRef = q.a ?? defaultA;
  const bRef = q.b ?? defaultB;
  if (!aRef || !bRef) return { runs: runsList };
  const a = run(ctx, aRef);
  const b = run(ctx, bRef);
  return {
    runs: runsList,
    a: a.id,
    b: b.id,
    result: {
      a: summaryOf(ctx, a),
      b: summaryOf(ctx, b),
      comparison: ctx.results.compare(a.id, b.id),
    },
  };
}

export interface FlipsView {
  a: RunRecord;
  b: RunRecord;
  page: FlipPage;
  sections: string[];
}

/** The samples runs `a` and `b` disagree on (`only`: a or b, `section`), paged by `after` / `before`, `limit`. */
export function flips(ctx: ViewerContext, q: Params): FlipsView {
  if (!q.a || !q.b) throw new NotFound("name two runs: /compare/flips?a=<run>&b=<run>");
  const a = run(ctx, q.a);
  const b = run(ctx, q.b);
  if (q.only && q.only !== "a" && q.only !== "b") throw new NotFound(`only must be a or b, not '${q.only}'`);
  const limit = q.limit ? Number(q.limit) : 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new NotFound("limit must be 1-100");
  const filter: FlipFilter = {
    only: q.only === "a" || q.only === "b" ? q.only : undefined,
    section: q.section || undefined,
  };
  return {
    a,
    b,
    page: ctx.results.flippedSamples(a.id, b.id, filter, { after: q.after, before: q.before, limit }),
    sections: ctx.results.sampleSections(a.id),
  };
}

export interface SpecView {
  choices: SpecChoice[];
  source: string;
  spec: SpecModel;
}

function loadSpec(ctx: ViewerContext, source: string | undefined): SpecView {
  const choices = ctx.specs.choices();
  const chosen = source ?? ctx.specs.defaultSource();
  if (!chosen) throw new NotFound("no spec to show: start the viewer with --spec <dir|version>");
  const spec = ctx.specs.load(chosen);
  if (spec === null) throw new NotFound(`spec '${chosen}' is not one the viewer offers`);
  if (spec instanceof Error) throw new NotFound(`spec '${chosen}' cannot be read: ${spec.message}`);
  return { choices, source: chosen, spec };
}

export function spec(ctx: ViewerContext, q: Params): SpecView {
  return loadSpec(ctx, q.spec);
}

export function specSection(ctx: ViewerContext, id: string, q: Params): SpecView & { section: Section } {
  const view = loadSpec(ctx, q.spec);
  const section = findSection(view.spec, id);
  if (!section) throw new NotFound(`no section '${id}' in spec ${view.source}`);
  return { ...view, section };
}

export interface SpecDiffView {
  choices: SpecChoice[];
  from: string;
  to: string;
  diff: SpecDiff;
  /** The changed sections' word diffs. */
  textChanges: SectionTextChange[];
}

export function specDiff(ctx: ViewerContext, q: Params): SpecDiffView {
  const choices = ctx.specs.choices();
  const from = q.from ?? choices[1]?.source;
  const to = q.to ?? choices[0]?.source;
  if (!from || !to) throw new NotFound("a diff needs two specs: start the viewer with two --spec options");
  const a = loadSpec(ctx, from);
  const b = loadSpec(ctx, to);
  return {
    choices,
    from,
    to,
    diff: diffSpecs(a.spec, b.spec),
    textChanges: diffSectionTexts(a.spec, b.spec),
  };
}
