import { getMaxListeners, setMaxListeners } from "node:events";
import { type JudgingSettings, quorumOf } from "../judge/index.js";
import { type Provider, ProviderError } from "../providers/index.js";
import type { SpecModel } from "../spec/index.js";
import type { ResultStore, RunSampleRow, VerdictRecord } from "../store/index.js";
import { type CallPolicy, callProvider } from "./call.js";
import { completionRecord } from "./completion-record.js";
import { type GradeOutcome, gradeResponse } from "./grade-response.js";
import { completionKey } from "./keys.js";
import type { AdaptiveLimiter } from "./limiter.js";

export interface GenerationSettings {
  maxTokens: number;
  temperature: number | undefined;
  seed: number | undefined;
  /**
   * The candidate's server as the run records it (`--base-url`, without credentials), when given: part of a
   * completion's cache key, so one model name at two servers (say, direct and through `modelspec serve`) never
   * shares completions.
   */
  server?: string | null;
}

export interface ProgressState {
  total: number;
  done: number;
  graded: number;
  compliant: number;
  ungraded: number;
  errors: number;
  cachedCompletions: number;
  cachedGrades: number;
  retries: number;
  inputTokens: number;
  outputTokens: number;
}

export interface EvalPlan {
  store: ResultStore;
  runId: string;
  spec: SpecModel;
  /** Null in a regrade: completions must already exist, none are requested. */
  candidate: { provider: Provider; limiter: AdaptiveLimiter } | null;
  judge: { provider: Provider; limiter: AdaptiveLimiter };
  generation: GenerationSettings;
  /** With the run's boundary token, which the application layer draws once and keeps when the run resumes. */
  judging: JudgingSettings & { boundary: string };
  policy: CallPolicy;
  signal: AbortSignal;
  onProgress?: (state: ProgressState) => void;
}

/**
 * Progress with nothing counted yet but what is already done.
 *
 * @example
 * const state = newProgress(samples.length, 0);
 */
export function newProgress(total: number, done: number): ProgressState {
  return {
    total,
    done,
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
}

/**
 * Generates and grades every pending sample of a run: it schedules the calls, retries them through
 * `callProvider` and caches their results; what a grade and a verdict are is the judge's. Completions and grades
 * are looked up by content key first, so a resumed or repeated run pays only for what is missing. Provider
 * failures become `error` verdicts with their kind, never a grade; a stop (signal) leaves the sample pending
 * for the next run. `onProgress` is called once before any work, then after each sample.
 *
 * @example
 * await runEval({ store, runId, spec, candidate, judge, generation, judging, policy: DEFAULT_POLICY, signal });
 */
export async function runEval(plan: EvalPlan): Promise<ProgressState> {
  const counts = plan.store.countSamples(plan.runId);
  const state = newProgress(counts.total, counts.done);
  const pending = plan.store.pendingSamples(plan.runId);
  const workers = (plan.candidate?.limiter.maxConcurrency ?? 0) + plan.judge.limiter.maxConcurrency;
  // Each call in flight listens for a stop on the run's signal: raise Node's leak warning above that bound.
  const listeners = workers * plan.judging.graderSamples + 10;
  if (getMaxListeners(plan.signal) < listeners) setMaxListeners(listeners, plan.signal);
  const worker = async () => {
    for (let next = pending.next(); !next.done; next = pending.next()) {
      if (plan.signal.aborted) return;
      await processSample(plan, next.value, state);
      plan.onProgress?.(state);
    }
  };
  plan.onProgress?.(state); // before any work: what is already done
  await Promise.all(Array.from({ length: Math.max(1, workers) }, worker));
  return state;
}

async function processSample(plan: EvalPlan, row: RunSampleRow, state: ProgressState): Promise<void> {
  const completion = await obtainCompletion(plan, row, state);
  if (completion === "stopped") return;
  if ("error" in completion) {
    finish(plan, row, state, {
      status: "error",
      compliance: null,
      compliant: null,
      gradeKeys: [],
      usableGrades: null,
      errorKind: `completion:${completion.error.kind}`,
      errorMessage: completion.error.message,
    });
    return;
  }

  let outcome: GradeOutcome;
  try {
    outcome = await gradeResponse(plan, row.sample, completion.text, state);
  } catch (error) {
    if (error instanceof ProviderError && error.kind === "aborted") return;
    throw error;
  }
  if (outcome.status === "error") {
    finish(plan, row, state, {
      status: "error",
      compliance: null,
      compliant: null,
      gradeKeys: outcome.grades.map((g) => g.key),
      usableGrades: null,
      errorKind: `judge:${outcome.error.kind}`,
      errorMessage: outcome.error.message,
    });
    return;
  }
  const { verdict, grades } = outcome;
  const { judging } = plan;
  const quorum = quorumOf(judging.graderSamples, judging.quorum);
  finish(plan, row, state, {
    status: verdict.status,
    compliance: verdict.compliance,
    compliant: verdict.compliant,
    gradeKeys: grades.map((g) => g.key),
    usableGrades: verdict.usableGrades,
    errorKind: verdict.reason,
    errorMessage: verdict.reason
      ? `${verdict.usableGrades} usable of ${grades.length} grader samples drawn (quorum ${quorum} of ${judging.graderSamples})`
      : null,
    // Safe-completion mode: the aggregated axes and their reward (null in compliance mode, left out then).
    ...(verdict.reward === null || verdict.severity === null || verdict.helpfulness === null
      ? {}
      : { severity: verdict.severity, helpfulness: verdict.helpfulness, reward: verdict.reward }),
  });
}

function finish(
  plan: EvalPlan,
  row: RunSampleRow,
  state: ProgressState,
  verdict: Omit<VerdictRecord, "drawn">,
): void {
  plan.store.putVerdict(plan.runId, row.sampleId, row.epoch, verdict);
  state.done++;
  if (verdict.status === "graded") {
    state.graded++;
    if (verdict.compliant) state.compliant++;
  } else if (verdict.status === "ungraded") state.ungraded++;
  else state.errors++;
}

async function obtainCompletion(
  plan: EvalPlan,
  row: RunSampleRow,
  state: ProgressState,
): Promise<{ text: string } | { error: ProviderError } | "stopped"> {
  const { store, runId } = plan;
  if (row.completionKey) {
    const cached = store.getCompletion(row.completionKey);
    if (cached) {
      state.cachedCompletions++;
      return cached;
    }
  }
  if (!plan.candidate) {
    return {
      error: new ProviderError("bad_request", "no stored completion for this sample (regrade needs one)"),
    };
  }
  const { provider, limiter } = plan.candidate;
  const request = {
    messages: row.sample.input,
    maxTokens: plan.generation.maxTokens,
    temperature: plan.generation.temperature,
    seed: plan.generation.seed,
  };
  const key = completionKey({
    ...request,
    provider: provider.id,
    epoch: row.epoch,
    server: plan.generation.server,
  });
  const cached = store.getCompletion(key);
  if (cached) {
    state.cachedCompletions++;
    store.setSampleCompletion(runId, row.sampleId, row.epoch, { key });
    return cached;
  }
  try {
    const { result } = await callProvider(provider, limiter, request, plan.policy, plan.signal, () => {
      state.retries++;
    });
    state.inputTokens += result.usage.inputTokens;
    state.outputTokens += result.usage.outputTokens;
    store.putCompletion(completionRecord(key, provider.id, result));
    store.setSampleCompletion(runId, row.sampleId, row.epoch, { key });
    return { text: result.text };
  } catch (error) {
    const e =
      error instanceof ProviderError ? error : new ProviderError("bad_response", (error as Error).message);
    if (e.kind === "aborted" && plan.signal.aborted) return "stopped";
    store.setSampleCompletion(runId, row.sampleId, row.epoch, { errorKind: e.kind, errorMessage: e.message });
    return { error: e };
  }
}
