/**
 * Preference pairs (a chosen and a rejected response to one prompt) from the spec's examples and from graded
 * runs. docs/training-data.md "Preference pairs" says how they are formed; the counts of one call come back as
 * the generator's return value.
 */
import type { z } from "zod";
import type { Message } from "../conversation/index.js";
import { exampleSamples } from "../dataset/index.js";
import { UsageError } from "../errors.js";
import {
  openResults,
  type PreferencePairsOptions,
  PreferencePairsOptionsSchema,
  parseOptions,
  type RunRecord,
} from "../runs/index.js";
import { type CandidateResponse, type Example, loadSpec, type SpecModel } from "../spec/index.js";
import type { GradedResponse } from "../store/index.js";

/** One response of a run pair: where it comes from and how it was graded. */
export interface RunResponseSource {
  runId: string;
  model: string;
  epoch: number;
  /** Median compliance (1–7). */
  compliance: number;
  /** The run's threshold: compliant at or above it. */
  threshold: number;
  specVersion: string | null;
  specHash: string;
}

/** Where a pair comes from: one comparison of a spec example, or one prompt of graded runs. */
export type PairProvenance =
  | {
      source: "spec-example";
      specVersion: string | null;
      /** The spec's content hash (model_spec.md and every examples file). */
      specHash: string;
      sectionId: string;
      /** `<sectionId>/<n>`, as `modelspec spec show` numbers examples. */
      exampleId: string;
      /** The sample id `eval --dataset examples` gives this comparison (the prompt). */
      sampleId: string;
      /** Positions (from 1) among the example's responses as written. */
      chosen: { response: number; label: "GOOD" };
      rejected: { response: number; label: "BAD" };
    }
  | {
      source: "run";
      sectionId: string | null;
      sampleId: string;
      /** chosen.compliance − rejected.compliance. */
      margin: number;
      chosen: RunResponseSource;
      rejected: RunResponseSource;
    };

/** A chosen and a rejected assistant response to one conversation, in the spec's message model. */
export interface PreferencePair {
  /** The conversation both responses answer, system and developer messages included. */
  prompt: Message[];
  chosen: Message;
  rejected: Message;
  provenance: PairProvenance;
}

/** What one call found: pairs and prompts by source, and the candidate pairs left out by rule. */
export interface PairCounts {
  examples: {
    /** Comparisons (one prompt each) with at least one GOOD and one BAD response. */
    prompts: number;
    pairs: number;
  };
  runs: {
    /** Graded responses read (errors and ungraded samples are not). */
    responses: number;
    /** Prompts (same sample id and conversation) that gave at least one pair. */
    prompts: number;
    pairs: number;
    /** Compliant × non-compliant combinations whose scores differ by less than `minMargin`. */
    belowMargin: number;
    /** Combinations of one response text with itself (graded both ways). */
    identical: number;
  };
  /** Pairs over `maxPairsPerPrompt`, dropped (both sources). */
  capped: number;
}

type Options = z.output<typeof PreferencePairsOptionsSchema>;

const assistant = (r: CandidateResponse): Message => ({
  role: "assistant",
  content: r.content,
  parts: r.parts,
  ...(r.attributes ? { attributes: r.attributes } : {}),
});

/** At most `cap` items, the best first by `score` (ties in the order given); all when no cap. */
function capped<T>(items: T[], cap: number | undefined, score: (item: T) => number, counts: PairCounts): T[] {
  if (cap === undefined || items.length <= cap) return items;
  counts.capped += items.length - cap;
  return items
    .map((item, i) => ({ item, i }))
    .sort((a, b) => score(b.item) - score(a.item) || a.i - b.i)
    .slice(0, cap)
    .map((x) => x.item);
}

/** Each GOOD × BAD response of one comparison: one prompt (the conversation up to it). */
function* examplePairs(spec: SpecModel, o: Options, counts: PairCounts): Generator<PreferencePair> {
  for (const example of spec.examples) {
    const comparisons = [...new Set(example.responses.map((r) => r.comparison))];
    // exampleSamples gives one sample per comparison, in this order, with the conversation before it.
    const samples = exampleSamples({ ...spec, examples: [example] });
    for (const [i, comparison] of comparisons.entries()) {
      const sample = samples[i];
      if (!sample) continue;
      const pairs = comparisonPairs(spec, example, comparison, sample.id, sample.input);
      if (pairs.length === 0) continue;
      counts.examples.prompts++;
      const kept = capped(pairs, o.maxPairsPerPrompt, () => 0, counts);
      counts.examples.pairs += kept.length;
      yield* kept;
    }
  }
}

function comparisonPairs(
  spec: SpecModel,
  example: Example,
  comparison: number,
  sampleId: string,
  prompt: Message[],
): PreferencePair[] {
  const numbered = example.responses.map((response, i) => ({ response, position: i + 1 }));
  const of = (label: string) =>
    numbered.filter((r) => r.response.comparison === comparison && r.response.label === label);
  return of("GOOD").flatMap((good) =>
    of("BAD").map((bad) => ({
      prompt,
      chosen: assistant(good.response),
      rejected: assistant(bad.response),
      provenance: {
        source: "spec-example" as const,
        specVersion: spec.source.version,
        specHash: spec.source.contentHash,
        sectionId: example.sectionId,
        exampleId: example.id,
        sampleId,
        chosen: { response: good.position, label: "GOOD" as const },
        rejected: { response: bad.position, label: "BAD" as const },
      },
    })),
  );
}

/** One response per distinct text, the one with the most extreme score (`better` wins), in order of appearance. */
function distinctTexts(
  rows: GradedResponse[],
  better: (a: GradedResponse, b: GradedResponse) => boolean,
): GradedResponse[] {
  const byText = new Map<string, GradedResponse>();
  for (const row of rows) {
    const seen = byText.get(row.response);
    if (!seen || better(row, seen)) byText.set(row.response, row);
  }
  return [...byText.values()];
}

/** The pairs of one prompt: compliant × non-compliant responses at least `minMargin` apart. */
function promptPairs(
  rows: GradedResponse[],
  runs: Map<string, RunRecord>,
  o: Options,
  counts: PairCounts,
): PreferencePair[] {
  const chosen = distinctTexts(
    rows.filter((r) => r.compliant),
    (a, b) => a.compliance > b.compliance,
  );
  const rejected = distinctTexts(
    rows.filter((r) => !r.compliant),
    (a, b) => a.compliance < b.compliance,
  );
  const source = (r: GradedResponse): RunResponseSource => {
    const run = runs.get(r.runId) as RunRecord;
    return {
      runId: r.runId,
      model: run.model,
      epoch: r.epoch,
      compliance: r.compliance,
      threshold: run.params.judging.threshold,
      specVersion: run.specVersion,
      specHash: run.specHash,
    };
  };
  const pairs: PreferencePair[] = [];
  for (const c of chosen) {
    for (const r of rejected) {
      if (c.response === r.response) {
        counts.runs.identical++;
        continue;
      }
      const margin = c.compliance - r.compliance;
      if (margin < o.minMargin) {
        counts.runs.belowMargin++;
        continue;
      }
      pairs.push({
        prompt: c.input,
        chosen: { role: "assistant", content: c.response, parts: [{ type: "text", text: c.response }] },
        rejected: { role: "assistant", content: r.response, parts: [{ type: "text", text: r.response }] },
        provenance: {
          source: "run",
          sectionId: c.sectionId,
          sampleId: c.sampleId,
          margin,
          chosen: source(c),
          rejected: source(r),
        },
      });
    }
  }
  const margin = (p: PreferencePair) => (p.provenance.source === "run" ? p.provenance.margin : 0);
  const kept = capped(pairs, o.maxPairsPerPrompt, margin, counts);
  if (kept.length > 0) counts.runs.prompts++;
  counts.runs.pairs += kept.length;
  return kept;
}

/** The responses of one sample id, split by conversation (a dataset may have changed between runs). */
function samplePairs(
  rows: GradedResponse[],
  runs: Map<string, RunRecord>,
  o: Options,
  counts: PairCounts,
): PreferencePair[] {
  const byPrompt = new Map<string, GradedResponse[]>();
  for (const row of rows) {
    const key = JSON.stringify(row.input);
    const prompt = byPrompt.get(key);
    if (prompt) prompt.push(row);
    else byPrompt.set(key, [row]);
  }
  return [...byPrompt.values()].flatMap((prompt) => promptPairs(prompt, runs, o, counts));
}

function* runPairs(runs: Map<string, RunRecord>, o: Options, counts: PairCounts): Generator<PreferencePair> {
  const results = openResults(o.db);
  try {
    let group: GradedResponse[] = [];
    for (const row of results.gradedResponses([...runs.keys()])) {
      counts.runs.responses++;
      if (group.length > 0 && group[0]?.sampleId !== row.sampleId) {
        yield* samplePairs(group, runs, o, counts);
        group = [];
      }
      group.push(row);
    }
    yield* samplePairs(group, runs, o, counts);
  } finally {
    results.close();
  }
}

/** The runs named, each with graded samples; a `UsageError` for one that is unknown or has none. */
function gradedRuns(o: Options): Map<string, RunRecord> {
  const runs = new Map<string, RunRecord>();
  if (o.runs.length === 0) return runs;
  const results = openResults(o.db);
  try {
    for (const ref of o.runs) {
      const run = results.findRun(ref);
      if (results.totals(run.id).graded === 0) {
        throw new UsageError(`run ${run.id} has no graded samples: it gives no preference pairs`);
      }
      runs.set(run.id, run);
    }
  } finally {
    results.close();
  }
  return runs;
}

const noCounts = (): PairCounts => ({
  examples: { prompts: 0, pairs: 0 },
  runs: { responses: 0, prompts: 0, pairs: 0, belowMargin: 0, identical: 0 },
  capped: 0,
});

/**
 * Preference pairs from the spec's examples (each GOOD × BAD response of one comparison, the conversation up to
 * it as the prompt) and from graded runs (for one prompt — same sample id and conversation — across the runs,
 * models and epochs: a compliant response × a non-compliant one scoring at least `minMargin` less; errors and
 * ungraded samples never pair, nor a text with itself). The options are checked, the runs found and the spec
 * loaded at the call (a `UsageError`/`SpecError`/`DatabaseError`); the pairs come as they are read, and the
 * generator returns the counts.
 *
 * @example
 * for (const pair of preferencePairs({ spec: "2025-12-18", runs: ["latest"], minMargin: 3 })) {
 *   console.log(pair.provenance.source, pair.prompt.length, pair.chosen.content.slice(0, 40));
 * }
 */
export function preferencePairs(options: PreferencePairsOptions = {}): Generator<PreferencePair, PairCounts> {
  const o = parseOptions(PreferencePairsOptionsSchema, options);
  if (!o.examples && o.runs.length === 0) {
    throw new UsageError("nothing to pair: name a run, or keep the spec's examples");
  }
  const runs = gradedRuns(o);
  const spec = o.examples ? loadSpec(o.spec) : null;
  return (function* () {
    const counts = noCounts();
    if (spec) yield* examplePairs(spec, o, counts);
    if (runs.size > 0) yield* runPairs(runs, o, counts);
    return counts;
  })();
}
