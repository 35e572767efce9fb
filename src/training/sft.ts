import { getMaxListeners, setMaxListeners } from "node:events";
import type { Sample } from "../dataset/index.js";
import { newBoundary } from "../judge/index.js";
import { checkOutputs, provenancePath, writeFilesAtomically } from "../output-files.js";
import { type Provider, ProviderError } from "../providers/index.js";
import {
  AdaptiveLimiter,
  askJson,
  DEFAULT_POLICY,
  type GradingCounters,
  type GradingPlan,
  gradeResponse,
  type JsonAnswer,
  newProgress,
} from "../runner/index.js";
import {
  datasetName,
  estimateCost,
  judgingFrom,
  modelId,
  parseOptions,
  pricesFrom,
  type ReasoningDataOptions,
  ReasoningDataOptionsSchema,
  RunProviders,
  selectDataset,
  withoutCredentials,
} from "../runs/index.js";
import { loadSpec, type SpecModel } from "../spec/index.js";
import { ResultStore } from "../store/index.js";
import { answerCache } from "./sft-cache.js";
import { DROP_REASONS, type DropReason, dropReason, reliedOn, sectionIdOf } from "./sft-filter.js";
import { type KeptAnswer, provenanceLine, type ReasoningPlace, trainingLine } from "./sft-format.js";
import { generatorRequest, type ReasonedAnswer, ReasonedAnswerSchema } from "./sft-prompt.js";

/** What `reasoningData` did: what `modelspec data sft --json` prints. */
export interface ReasoningDataSummary {
  /** The training file, and its provenance sidecar (written only when not stopped). */
  out: string;
  provenance: string;
  /** Where the reasoning is: the sidecar only, also a top-level `reasoning` field, or the assistant text. */
  reasoningIn: ReasoningPlace;
  specVersion: string | null;
  dataset: string;
  generator: string;
  judge: string;
  /** The name given with `label` (untrusted text), or null. */
  label: string | null;
  /** Prompts selected, and the answers kept (one training line each). */
  prompts: number;
  kept: number;
  /** Prompts without a training line, by why; prompts left when stopped are in none. */
  dropped: Record<DropReason, number>;
  /** The generator's and the judge's errors by kind (`generator:bad_request`, `judge:timeout`). */
  errorKinds: Record<string, number>;
  /** Generator answers that were not the JSON asked for, re-asked or not (none is ever written). */
  invalidAnswers: number;
  /** Generator answers and grader samples read back from the results database instead of asked for. */
  cachedAnswers: number;
  cachedGrades: number;
  tokens: { generator: { input: number; output: number }; judge: { input: number; output: number } };
  /** From list prices (or `prices`); null when a price is unknown. */
  estimatedCostUsd: number | null;
  /** Stopped by the signal: nothing was written; run again to go on (answers and grades come back cached). */
  stopped: boolean;
}

type Outcome = { kept: KeptAnswer } | { dropped: DropReason; errorKind?: string };

/**
 * Deliberative-alignment style training data: for each prompt (chosen as `evaluate` chooses its samples), the
 * generator reads the sections of the spec that bear on it and answers with reasoning that cites them by id, then
 * the answer (JSON, re-asked within `maxAnswers` when it is not the JSON asked for); the judge grades the answer
 * against the spec as eval does (grades cached in `db`). An answer is kept when it is graded compliant and every
 * section it cites exists and is one the judge relied on, or an ancestor of one. Writes chat fine-tuning JSONL
 * without the spec in the prompt, and a provenance sidecar; see docs/training-data.md.
 *
 * @example
 * const summary = await reasoningData({
 *   spec: "2025-12-18",
 *   generator: "openai:gpt-5",
 *   judge: "openai:gpt-5",
 *   top: ["stay_in_bounds"],
 *   limit: 50,
 *   out: "sft.jsonl",
 * });
 * console.log(summary.kept, summary.dropped);
 */
export async function reasoningData(options: ReasoningDataOptions): Promise<ReasoningDataSummary> {
  const o = parseOptions(ReasoningDataOptionsSchema, options);
  const spec = typeof o.spec === "string" ? loadSpec(o.spec) : o.spec;
  const samples = selectDataset(spec, o);
  const provenance = provenancePath(o.out);
  checkOutputs([o.out, provenance], o.force, "--out");
  const prices = pricesFrom(o.prices);
  const generatorId = modelId(o.generator);
  const judgeId = modelId(o.judge);
  if (generatorId === judgeId) o.onWarning?.("the judge is the generator (self-grading)");
  const judging = judgingFrom(o, judgeId, false);
  const signal = o.signal ?? new AbortController().signal;
  // Each call in flight listens for a stop on the signal: raise Node's leak warning above that bound, as runEval.
  const listeners = o.concurrency * (1 + o.graderSamples) + 10;
  if (getMaxListeners(signal) < listeners) setMaxListeners(listeners, signal);
  const policy = { ...DEFAULT_POLICY, maxAttempts: o.maxAttempts, timeoutMs: o.timeout * 1000 };
  const providers = new RunProviders();
  try {
    const { answerer: generator, judge } = await providers.answererAndJudge(o.generator, o.baseUrl, o);
    const store = ResultStore.open(o.db);
    try {
      // One boundary token per database for this command's prompts, kept there: the generator's and the judge's
      // prompts are then the same on a second run, and so are their cache keys.
      const token = store.keptToken("data-sft:boundary", newBoundary());
      const plan: GradingPlan = {
        store,
        spec,
        judge: { provider: judge, limiter: new AdaptiveLimiter(o.judgeConcurrency) },
        judging: { ...judging, boundary: token },
        policy,
        signal,
      };
      const answers = answerCache(generator, store, withoutCredentials(o.baseUrl));
      const state = newProgress(samples.length, 0);
      const job: Job = {
        spec,
        plan,
        generator: { provider: answers.provider, limiter: new AdaptiveLimiter(o.concurrency) },
        token,
        settings: o,
        generatorTokens: { input: 0, output: 0 },
        judgeCounters: { cachedGrades: 0, retries: 0, inputTokens: 0, outputTokens: 0 },
        invalidAnswers: 0,
      };
      const { generatorTokens, judgeCounters } = job;
      const outcomes: (Outcome | undefined)[] = new Array(samples.length);

      let next = 0;
      const worker = async () => {
        while (next < samples.length && !signal.aborted) {
          const index = next++;
          let outcome: Outcome;
          try {
            outcome = await answerPrompt(job, samples[index] as Sample);
          } catch (error) {
            if (error instanceof ProviderError && error.kind === "aborted") return;
            throw error;
          }
          outcomes[index] = outcome;
          state.done++;
          if ("kept" in outcome) {
            state.graded++;
            state.compliant++;
          } else if (outcome.dropped === "ungraded") state.ungraded++;
          else if (outcome.dropped.endsWith("_error")) state.errors++;
          else if (outcome.dropped !== "generator_invalid") state.graded++;
          Object.assign(state, {
            cachedCompletions: answers.cached(),
            cachedGrades: judgeCounters.cachedGrades,
            retries: judgeCounters.retries,
            inputTokens: generatorTokens.input + judgeCounters.inputTokens,
            outputTokens: generatorTokens.output + judgeCounters.outputTokens,
          });
          o.onProgress?.(state);
        }
      };
      o.onProgress?.(state);
      await Promise.all(Array.from({ length: o.concurrency }, worker));

      const { kept, dropped, errorKinds } = tally(outcomes);
      const stopped = signal.aborted;
      if (!stopped) {
        const source = {
          specVersion: spec.source.version,
          specHash: spec.source.contentHash,
          generator: generatorId,
          judge: judgeId,
        };
        const jsonl = (lines: unknown[]) => lines.map((line) => `${JSON.stringify(line)}\n`).join("");
        writeFilesAtomically(
          [
            { path: o.out, text: jsonl(kept.map((k) => trainingLine(k, o.reasoningIn))) },
            { path: provenance, text: jsonl(kept.map((k) => provenanceLine(k, source))) },
          ],
          "--out",
        );
      }
      const judgeTokens = { input: judgeCounters.inputTokens, output: judgeCounters.outputTokens };
      const costs = [
        estimateCost(generatorId, generatorTokens, prices),
        estimateCost(judgeId, judgeTokens, prices),
      ];
      return {
        out: o.out,
        provenance,
        reasoningIn: o.reasoningIn,
        specVersion: spec.source.version,
        dataset: datasetName(o.dataset),
        generator: generatorId,
        judge: judgeId,
        label: o.label?.trim() || null,
        prompts: samples.length,
        kept: kept.length,
        dropped,
        errorKinds,
        invalidAnswers: job.invalidAnswers,
        cachedAnswers: answers.cached(),
        cachedGrades: judgeCounters.cachedGrades,
        tokens: { generator: generatorTokens, judge: judgeTokens },
        estimatedCostUsd: costs.some((c) => c === null)
          ? null
          : costs.reduce<number>((sum, c) => sum + (c ?? 0), 0),
        stopped,
      };
    } finally {
      store.close();
    }
  } finally {
    await providers.close();
  }
}

/** What answering one prompt needs, and the counters it adds to. */
interface Job {
  spec: SpecModel;
  plan: GradingPlan;
  generator: { provider: Provider; limiter: AdaptiveLimiter };
  token: string;
  settings: { maxTokens: number; temperature?: number | undefined; maxAnswers: number };
  generatorTokens: { input: number; output: number };
  judgeCounters: GradingCounters;
  invalidAnswers: number;
}

/**
 * One prompt: the generator's answer (asked again within the cap while it is not the JSON asked for), its grade,
 * and whether it is kept. A stop throws the `aborted` ProviderError; any other provider failure drops the prompt.
 */
async function answerPrompt(job: Job, sample: Sample): Promise<Outcome> {
  const { settings, plan } = job;
  const request = generatorRequest(job.spec, sample, job.token, settings);
  let answer: JsonAnswer<ReasonedAnswer>;
  try {
    answer = await askJson(job.generator.provider, job.generator.limiter, request, ReasonedAnswerSchema, {
      maxAnswers: settings.maxAnswers,
      policy: plan.policy,
      signal: plan.signal,
    });
  } catch (error) {
    if (error instanceof ProviderError && error.kind !== "aborted")
      return { dropped: "generator_error", errorKind: `generator:${error.kind}` };
    throw error;
  }
  job.generatorTokens.input += answer.usage.inputTokens;
  job.generatorTokens.output += answer.usage.outputTokens;
  job.invalidAnswers += answer.invalid.length;
  if (!answer.ok) return { dropped: "generator_invalid" };
  const outcome = await gradeResponse(plan, sample, answer.value.answer, job.judgeCounters);
  if (outcome.status === "error") return { dropped: "judge_error", errorKind: `judge:${outcome.error.kind}` };
  const cited = [...new Set(answer.value.cited_sections.map(sectionIdOf))];
  const reason = dropReason(job.spec, outcome, cited);
  if (reason !== null) return { dropped: reason };
  const { reasoning } = answer.value;
  return {
    kept: {
      sample,
      reasoning,
      cited,
      answer: answer.value.answer,
      reliedOn: reliedOn(outcome),
      compliance: outcome.verdict.compliance ?? 0,
    },
  };
}

/** The kept answers in the dataset's order, the dropped prompts by reason, and the errors by kind. */
function tally(outcomes: readonly (Outcome | undefined)[]) {
  const kept = outcomes.flatMap((x) => (x && "kept" in x ? [x.kept] : []));
  const dropped = Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>;
  const errorKinds: Record<string, number> = {};
  for (const x of outcomes) {
    if (!x || !("dropped" in x)) continue;
    dropped[x.dropped]++;
    if (x.errorKind) errorKinds[x.errorKind] = (errorKinds[x.errorKind] ?? 0) + 1;
  }
  return { kept, dropped, errorKinds };
}
