import type { Sample } from "../dataset/index.js";
import { newBoundary } from "../judge/index.js";
import { ProviderError } from "../providers/index.js";
import {
  AdaptiveLimiter,
  askJson,
  DEFAULT_POLICY,
  type GradingCounters,
  type GradingPlan,
  gradeResponse,
  type JsonAnswer,
  type ProgressState,
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
import { loadSpec } from "../spec/index.js";
import { ResultStore } from "../store/index.js";
import { answerCache } from "./sft-cache.js";
import { DROP_REASONS, type DropReason, dropReason, reliedOn, sectionIdOf } from "./sft-filter.js";
import {
  checkOutputs,
  type KeptAnswer,
  provenanceLine,
  provenancePath,
  type ReasoningPlace,
  trainingLine,
  writeFilesAtomically,
} from "./sft-format.js";
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
  checkOutputs([o.out, provenance], o.force);
  const prices = pricesFrom(o.prices);
  const generatorId = modelId(o.generator);
  const judgeId = modelId(o.judge);
  if (generatorId === judgeId) o.onWarning?.("the judge is the generator (self-grading)");
  const judging = judgingFrom(o, judgeId, false);
  const signal = o.signal ?? new AbortController().signal;
  const policy = { ...DEFAULT_POLICY, maxAttempts: o.maxAttempts, timeoutMs: o.timeout * 1000 };
  const providers = new RunProviders();
  try {
    const generator = await providers.get(o.generator, {
      baseURL: o.baseUrl,
      threads: o.threads,
      contextSize: o.contextSize,
      maxResponseBytes: o.maxResponseBytes,
    });
    // One provider plays both roles when they are the same model on the same server, as in eval.
    const judge =
      typeof o.judge === "string" && judgeId === generatorId && !o.judgeBaseUrl
        ? generator
        : await providers.judge(o);
    const store = ResultStore.open(o.db);
    try {
      // One boundary token per database for this command's prompts, kept there: the generator's and the judge's
      // prompts are then the same on a second run, and so are their cache keys.
      const token = store.keptValue("data-sft:boundary", newBoundary());
      const plan: GradingPlan = {
        store,
        spec,
        judge: { provider: judge, limiter: new AdaptiveLimiter(o.judgeConcurrency) },
        judging: { ...judging, boundary: token },
        policy,
        signal,
      };
      const answers = answerCache(generator, store, withoutCredentials(o.baseUrl));
      const limiter = new AdaptiveLimiter(o.concurrency);
      const state: ProgressState = {
        total: samples.length,
        done: 0,
        graded: 0,
        compliant: 0,
        ungraded: 0,
        errors: 0,
        cachedCompletions: 0,
        cachedGrades: 0,
        retries: 0,
        inputTokens: 0,
        outputTokens: 0,
      };
      const generatorTokens = { input: 0, output: 0 };
      const judgeCounters: GradingCounters = { cachedGrades: 0, retries: 0, inputTokens: 0, outputTokens: 0 };
      let invalidAnswers = 0;
      const outcomes: (Outcome | undefined)[] = new Array(samples.length);

      const answerOne = async (index: number): Promise<Outcome> => {
        const sample = samples[index] as Sample;
        const request = generatorRequest(spec, sample, token, {
          maxTokens: o.maxTokens,
          temperature: o.temperature,
        });
        let answer: JsonAnswer<ReasonedAnswer>;
        try {
          answer = await askJson(answers.provider, limiter, request, ReasonedAnswerSchema, {
            maxAnswers: o.maxAnswers,
            policy,
            signal,
          });
        } catch (error) {
          if (error instanceof ProviderError && error.kind !== "aborted")
            return { dropped: "generator_error", errorKind: `generator:${error.kind}` };
          throw error;
        }
        generatorTokens.input += answer.usage.inputTokens;
        generatorTokens.output += answer.usage.outputTokens;
        invalidAnswers += answer.invalid.length;
        if (!answer.ok) return { dropped: "generator_invalid" };
        const outcome = await gradeResponse(plan, sample, answer.value.answer, judgeCounters);
        const cited = [...new Set(answer.value.cited_sections.map(sectionIdOf))];
        if (outcome.status === "error")
          return { dropped: "judge_error", errorKind: `judge:${outcome.error.kind}` };
        const reason = dropReason(spec, outcome, cited);
        if (reason !== null) return { dropped: reason };
        return {
          kept: {
            sample,
            reasoning: answer.value.reasoning,
            cited,
            answer: answer.value.answer,
            reliedOn: reliedOn(outcome),
            compliance: outcome.verdict.compliance ?? 0,
          },
        };
      };

      let next = 0;
      const worker = async () => {
        while (next < samples.length && !signal.aborted) {
          const index = next++;
          let outcome: Outcome;
          try {
            outcome = await answerOne(index);
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

      const kept = outcomes.flatMap((x) => (x && "kept" in x ? [x.kept] : []));
      const dropped = Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>;
      const errorKinds: Record<string, number> = {};
      for (const x of outcomes) {
        if (!x || !("dropped" in x)) continue;
        dropped[x.dropped]++;
        if (x.errorKind) errorKinds[x.errorKind] = (errorKinds[x.errorKind] ?? 0) + 1;
      }
      const stopped = signal.aborted;
      if (!stopped) {
        const source = {
          specVersion: spec.source.version,
          specHash: spec.source.contentHash,
          generator: generatorId,
          judge: judgeId,
        };
        await writeFilesAtomically([
          { path: o.out, lines: kept.map((k) => trainingLine(k, o.reasoningIn)) },
          { path: provenance, lines: kept.map((k) => provenanceLine(k, source)) },
        ]);
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
        invalidAnswers,
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
