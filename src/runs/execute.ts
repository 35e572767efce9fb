/**
 * Start, execute and finish a run: the lifecycle shared by evaluate, regrade and calibrate. Starting an existing
 * run resumes it; executing generates and grades what it still lacks; finishing records whether it completed.
 */
import { type JudgingSettings, newBoundary } from "../judge/index.js";
import type { Provider } from "../providers/index.js";
import { AdaptiveLimiter, DEFAULT_POLICY, type GenerationSettings, runEval } from "../runner/index.js";
import type { SpecModel } from "../spec/index.js";
import type { ResultStore, RunStatus, StoredRun } from "../store/index.js";
import { TOOL_VERSION } from "../version.js";
import { decodeRun, type RunConfig } from "./config.js";
import { HEARTBEAT_MS } from "./liveness.js";
import type { JudgeOptions } from "./options.js";
import type { RunEstimate } from "./run-estimate.js";

/**
 * Creates the run, or marks the run with the same id as running again (`resumed`). Returns the judging settings
 * to grade with: a new run draws its judge-prompt boundary token here (unless its settings carry one: a regrade
 * keeps its parent's); a resumed one keeps the token it was stored with (so its cached grades stay valid), and
 * one stored before tokens existed gets one now. A resumed run also keeps how it drew grader samples: one stored
 * before early stopping existed (same id) still draws all N, so all its verdicts follow one rule.
 */
export function startRun(
  store: ResultStore,
  run: Omit<
    StoredRun,
    "createdAt" | "finishedAt" | "status" | "toolVersion" | "params" | "heartbeatAt" | "label"
  > & {
    params: RunConfig;
    /** The `label` option: replaces the run's label (an empty one removes it); undefined keeps it. */
    label: string | undefined;
  },
): Started {
  const judging = { ...run.params.judging, boundary: run.params.judging.boundary ?? newBoundary() };
  const params = { ...run.params, judging } as RunConfig;
  const label = run.label === undefined ? undefined : run.label.trim() || null;
  const started = store.startRun({ ...run, params, label, toolVersion: TOOL_VERSION });
  if (!started.resumed) return { resumed: false, judging };
  const stored = decodeRun(started.run).params;
  const kept = { ...judging, earlyStop: stored.judging.earlyStop };
  if (stored.judging.boundary)
    return { resumed: true, judging: { ...kept, boundary: stored.judging.boundary } };
  store.setRunParams(run.id, { ...stored, judging: { ...stored.judging, boundary: judging.boundary } });
  return { resumed: true, judging: kept };
}

/** A run started by `startRun`: whether it resumes, and the judging settings to grade with (token included). */
interface Started {
  resumed: boolean;
  judging: JudgingSettings & { boundary: string };
}

export interface Execution {
  store: ResultStore;
  runId: string;
  /** What `startRun` returned. */
  started: Started;
  spec: SpecModel;
  /** Null when the completions exist already (regrade, calibration). */
  candidate: { provider: Provider; concurrency: number; generation: GenerationSettings } | null;
  judge: Provider;
  /** How the run is carried out: the judge's concurrency, timeouts, retries, the stop signal, progress. */
  options: Pick<JudgeOptions, "judgeConcurrency" | "timeout" | "maxAttempts" | "signal" | "onProgress">;
  /** Passed on with the progress, for the start line. */
  estimate?: RunEstimate;
}

/** Generates and grades what the run still lacks, then records how it ended. */
export async function executeRun(
  e: Execution,
): Promise<{ status: Exclude<RunStatus, "running">; stopped: boolean }> {
  const o = e.options;
  const signal = o.signal ?? new AbortController().signal;
  // A heartbeat while the run works: a run whose heartbeat stops (kill -9, a crash) reads as interrupted.
  const heartbeat = setInterval(() => e.store.touchRun(e.runId), HEARTBEAT_MS);
  heartbeat.unref();
  try {
    await runEval({
      store: e.store,
      runId: e.runId,
      spec: e.spec,
      candidate: e.candidate
        ? { provider: e.candidate.provider, limiter: new AdaptiveLimiter(e.candidate.concurrency) }
        : null,
      judge: { provider: e.judge, limiter: new AdaptiveLimiter(o.judgeConcurrency) },
      generation: e.candidate?.generation ?? { maxTokens: 0, temperature: undefined, seed: undefined },
      judging: e.started.judging,
      policy: { ...DEFAULT_POLICY, maxAttempts: o.maxAttempts, timeoutMs: o.timeout * 1000 },
      signal,
      onProgress: (state) =>
        o.onProgress?.({
          ...state,
          runId: e.runId,
          resumed: e.started.resumed,
          ...(e.estimate ? { estimate: e.estimate } : {}),
        }),
    });
  } finally {
    clearInterval(heartbeat);
  }
  const stopped = signal.aborted;
  const pending = e.store.countSamples(e.runId).pending > 0;
  // A run is completed only when every sample has a verdict; otherwise running it again resumes it.
  const status = pending || stopped ? "interrupted" : "completed";
  e.store.finishRun(e.runId, status);
  return { status, stopped };
}
