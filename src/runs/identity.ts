/**
 * Run identity, in one place: a run id is a hash of everything that determines the run's results, so the same
 * inputs (from the CLI or the library) name the same run, and running it again resumes it. The hashed shapes
 * are fixed: changing them would orphan every stored run (test/runs/library.test.ts pins them).
 */
import type { JudgingSettings } from "../judge/index.js";
import { requestKey } from "../runner/index.js";
import type { EvalConfig } from "./config.js";

/**
 * The judging settings as they were first hashed (a temperature left unset is absent, not null). Settings added
 * since are hashed only when they differ from their default, so runs made before them keep their ids.
 */
function hashedJudging(j: JudgingSettings) {
  return {
    graderSamples: j.graderSamples,
    threshold: j.threshold,
    context: j.context,
    maxTokens: j.maxTokens,
    temperature: j.temperature ?? undefined,
    quorum: j.quorum ?? undefined,
    // Early stopping is the default (and runs stored before it say nothing): only drawing all N is hashed.
    graderSamplesAll: j.earlyStop === false ? true : undefined,
    // Compliance is the default (and runs stored before the rubric say nothing): only safe-completion is hashed.
    rubric: j.rubric === "safe-completion" ? j.rubric : undefined,
  };
}

/** An eval: the spec's content, both models, the configuration (not where the spec was read from), the sample ids. */
export function evalRunId(input: {
  specHash: string;
  model: string;
  judge: string;
  config: EvalConfig;
  sampleIds: readonly string[];
}): string {
  const c = input.config;
  const params = {
    dataset: c.dataset,
    filters: {
      section: c.filters.section,
      top: c.filters.top,
      authority: c.filters.authority,
      tag: c.filters.tag,
    },
    limit: c.limit,
    seed: c.seed,
    epochs: c.epochs,
    generation: { maxTokens: c.generation.maxTokens, temperature: c.generation.temperature },
    judging: { ...hashedJudging(c.judging), temperature: c.judging.temperature },
    baseUrl: c.baseUrl,
    judgeBaseUrl: c.judgeBaseUrl,
    // The app's prompts, hashed only when given: runs without them keep the ids they always had.
    ...(c.systemPrompt === null ? {} : { systemPrompt: c.systemPrompt }),
    ...(c.developerPrompt === null ? {} : { developerPrompt: c.developerPrompt }),
  };
  const key = requestKey({
    spec: input.specHash,
    model: input.model,
    judge: input.judge,
    params,
    samples: input.sampleIds,
  });
  return `run-${key.slice(0, 12)}`;
}

/** A regrade: the parent run, the new judge and how it grades. */
export function regradeRunId(input: {
  parentRunId: string;
  judge: string;
  judging: JudgingSettings;
  judgeBaseUrl: string | null;
}): string {
  const key = requestKey({
    parent: input.parentRunId,
    judge: input.judge,
    judging: hashedJudging(input.judging),
    base: input.judgeBaseUrl,
  });
  return `run-${key.slice(0, 12)}`;
}

/**
 * A calibration: the spec's content, the judge and how it grades, the labelled responses graded, and the subset
 * asked for (only when one is: calibrations made before `limit` and `seed` keep their ids).
 */
export function calibrationRunId(input: {
  specHash: string;
  judge: string;
  judging: JudgingSettings;
  itemIds: readonly string[];
  limit: number | null;
  seed: number | null;
}): string {
  const key = requestKey({
    spec: input.specHash,
    judge: input.judge,
    judging: { ...hashedJudging(input.judging), hideExamples: true },
    items: input.itemIds,
    limit: input.limit ?? undefined,
    seed: input.seed ?? undefined,
  });
  return `cal-${key.slice(0, 12)}`;
}
