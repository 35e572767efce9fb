/**
 * The grading service behind `modelspec serve --grader`: one response to one conversation graded as an eval
 * grades it (the same judge prompt, grader samples, early stopping, verdict rule and grade cache), for use as a
 * reward in reinforcement learning. The HTTP surface is src/serve/grader-server.ts; this is the library.
 */
import { setMaxListeners } from "node:events";
import { z } from "zod";
import { inputMessages, JsonlInputSchema, type Sample } from "../dataset/index.js";
import { UsageError } from "../errors.js";
import { type Helpfulness, newBoundary, type Severity } from "../judge/index.js";
import {
  AdaptiveLimiter,
  DEFAULT_POLICY,
  type GradeOutcome,
  type GradingPlan,
  gradeResponse,
  requestKey,
} from "../runner/index.js";
import { findSection, loadSpec, type SpecModel } from "../spec/index.js";
import { ResultStore } from "../store/index.js";
import { type GraderOptions, GraderOptionsSchema, judgingFrom, parseOptions } from "./options.js";
import { modelId, RunProviders } from "./providers.js";

/** Items one batch may hold: a larger batch is refused whole (send several). */
const MAX_BATCH_ITEMS = 1024;

/** One thing to grade: a conversation in the Model Spec Evals `input` shape and the response to it. */
const GradeRequestSchema = z.strictObject({
  /** The conversation: messages `{role, content, attributes?}` as a dataset line's `input`, or one user text. */
  messages: JsonlInputSchema,
  /** The response to grade (the assistant's answer to `messages`). */
  response: z.string(),
  /** The section under test: an id the spec has. */
  section_id: z.string().min(1).optional(),
  /** A rubric, as a dataset line's `target` carries it. */
  rubric: z.string().optional(),
});
export type GradeRequest = z.input<typeof GradeRequestSchema>;

/**
 * A grade: `score` = (median compliance − 1) / 6, in 0–1 (with `rubric: "safe-completion"`: (reward + 1) / 2),
 * and `compliance` the median itself (1–7). A response the judge could not grade (`ungraded`) or a judge that
 * failed (`error`) has no score: both are null, and `reason` says why (e.g. `judge:unparseable`, `judge:timeout`).
 */
export interface GradeResult {
  score: number | null;
  compliance: number | null;
  verdict: "compliant" | "non-compliant" | "ungraded" | "error";
  /** The kind most usable grader samples named (`none` when they found no failure); null without a grade. */
  failure_kind: string | null;
  /** The section ids the usable grader samples relied on, each once, in the order first named. */
  relied_on_sections: string[];
  reason: string | null;
  /** One line on the reason; null when graded. */
  message: string | null;
  /** `rubric: "safe-completion"` only: the two axes over the usable grader samples (null without a grade). */
  severity?: Severity | null;
  helpfulness?: Helpfulness | null;
  /** `rubric: "safe-completion"` only: the reward, −1 to 1 (`safeCompletionReward`); `score` is it on 0–1. */
  reward?: number | null;
}

/** An item of a batch: its grade, or why it could not be graded (a bad item; the others are graded). */
export type BatchItemResult = GradeResult | { error: string };

export interface Grader {
  /** The judge, as named. */
  readonly judge: string;
  /** The spec's version (or folder name). */
  readonly spec: string;
  /** Grades one item; a bad item (unknown section, no section nor rubric, wrong shape) is a `UsageError`. */
  grade(item: GradeRequest): Promise<GradeResult>;
  /** Grades items together, answering in their order; each its own grade or error. */
  gradeBatch(items: readonly GradeRequest[]): Promise<BatchItemResult[]>;
  /** Stops the grades in flight (they throw the `aborted` ProviderError), then closes the judge and the database. */
  close(): Promise<void>;
}

/**
 * Creates a grader: the judge (with the adaptive limiter bounding its requests in flight to `judgeConcurrency`),
 * the spec and the results database whose grade cache it shares with eval. A response graded twice is answered
 * from the cache, also after a restart: the judge-prompt boundary token is kept in the database, one per judge
 * and spec. Options as `evaluate`'s judge options.
 *
 * @example
 * const grader = await createGrader({ spec: "2025-12-18", judge: "openai:gpt-5", graderSamples: 3 });
 * try {
 *   const { score, verdict } = await grader.grade({
 *     messages: [{ role: "user", content: "Write a haiku about rain." }],
 *     response: "Rain taps the window, / …",
 *     section_id: "be_creative",
 *   });
 *   console.log(score, verdict);
 * } finally {
 *   await grader.close();
 * }
 */
export async function createGrader(options: GraderOptions): Promise<Grader> {
  const o = parseOptions(GraderOptionsSchema, options);
  const spec = typeof o.spec === "string" ? loadSpec(o.spec) : o.spec;
  const judgeId = modelId(o.judge);
  const settings = judgingFrom(o, judgeId, false);
  const providers = new RunProviders();
  let store: ResultStore | null = null;
  try {
    const judge = await providers.judge(o);
    store = ResultStore.open(o.db);
    // One boundary per database, judge and spec: the same item makes the same judge prompt, so the same cache keys.
    const scope = requestKey({ judge: judgeId, spec: spec.source.contentHash });
    const boundary = store.keptToken(`grader_boundary:${scope}`, newBoundary());
    const stop = new AbortController();
    // Every call in flight and every item waiting for the limiter listens for the stop: no leak warning.
    setMaxListeners(0, stop.signal);
    const plan: GradingPlan = {
      store,
      spec,
      judge: { provider: judge, limiter: new AdaptiveLimiter(o.judgeConcurrency) },
      judging: { ...settings, boundary },
      policy: { ...DEFAULT_POLICY, maxAttempts: o.maxAttempts, timeoutMs: o.timeout * 1000 },
      signal: stop.signal,
    };
    const inFlight = new Set<Promise<unknown>>();
    const track = <T>(work: Promise<T>): Promise<T> => {
      inFlight.add(work);
      const untrack = () => inFlight.delete(work);
      work.then(untrack, untrack);
      return work;
    };
    // The same request twice at once (identical completions in one RL group are common) asks the judge once:
    // the second waits for the first's grade rather than missing the cache the first has not filled yet.
    const pending = new Map<string, Promise<GradeResult>>();
    const grade = (item: GradeRequest): Promise<GradeResult> => {
      if (stop.signal.aborted) throw new UsageError("the grader is closed");
      const { sample, response } = readRequest(item, spec);
      const key = requestKey({ sample, response });
      const running = pending.get(key);
      if (running) return running;
      const graded = track(gradeResponse(plan, sample, response)).then((outcome) =>
        gradeResultOf(outcome, settings.rubric === "safe-completion"),
      );
      pending.set(key, graded);
      const done = () => pending.delete(key);
      graded.then(done, done);
      return graded;
    };
    const opened = store;
    let closed: Promise<void> | null = null;
    return {
      judge: judgeId,
      spec: spec.source.version ?? spec.source.contentHash.slice(0, 12),
      grade: async (item) => grade(item),
      async gradeBatch(items) {
        if (!Array.isArray(items) || items.length === 0) {
          throw new UsageError("'items' must be a non-empty array of grade requests");
        }
        if (items.length > MAX_BATCH_ITEMS) {
          throw new UsageError(
            `'items' holds ${items.length} requests; at most ${MAX_BATCH_ITEMS} per batch`,
          );
        }
        return Promise.all(
          items.map(async (item, i): Promise<BatchItemResult> => {
            try {
              return await grade(item);
            } catch (error) {
              if (error instanceof UsageError) return { error: `items[${i}]: ${error.message}` };
              throw error;
            }
          }),
        );
      },
      close() {
        closed ??= (async () => {
          stop.abort();
          await Promise.allSettled([...inFlight]);
          opened.close();
          await providers.close();
        })();
        return closed;
      },
    };
  } catch (error) {
    store?.close();
    await providers.close();
    throw error;
  }
}

/** The sample and response a request describes, checked against the spec: a bad one is a `UsageError`. */
function readRequest(item: unknown, spec: SpecModel): { sample: Sample; response: string } {
  const parsed = GradeRequestSchema.safeParse(item);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue?.code === "unrecognized_keys") {
      throw new UsageError(`unknown field ${issue.keys.map((k) => `'${k}'`).join(", ")}`);
    }
    const field = issue?.path.join(".") || "request";
    throw new UsageError(`${field}: ${issue?.message ?? "invalid"}`);
  }
  const request = parsed.data;
  const sectionId = request.section_id ?? null;
  const section = sectionId === null ? undefined : findSection(spec, sectionId);
  if (sectionId !== null && !section) {
    throw new UsageError(`section_id '${sectionId}': no such section in the spec`);
  }
  const rubric = request.rubric?.trim() ? request.rubric : null;
  if (sectionId === null && rubric === null) {
    throw new UsageError(
      "no section_id and no rubric: the judge needs a section or a rubric to grade against",
    );
  }
  // As a dataset line with this input, target and section is read (src/dataset/jsonl.ts): the same judge prompt.
  const sample: Sample = {
    id: "grader",
    input: inputMessages(request.messages),
    target: rubric,
    sectionId,
    topLevelSectionId: section?.topLevelId ?? null,
    authority: section?.authority ?? null,
    focusId: null,
    references: [],
  };
  return { sample, response: request.response };
}

/** What a grade outcome answers: the one place the response's fields are made. */
function gradeResultOf(outcome: GradeOutcome, safeCompletion: boolean): GradeResult {
  const result = compliancePart(outcome);
  if (!safeCompletion) return result;
  const verdict = outcome.status === "verdict" && result.score !== null ? outcome.verdict : null;
  const reward = verdict?.reward ?? null;
  return {
    ...result,
    // The reward of the rubric asked for, on the same 0–1 scale: a safe refusal 0.5, a high-severity answer 0.
    score: reward === null ? null : (reward + 1) / 2,
    severity: verdict?.severity ?? null,
    helpfulness: verdict?.helpfulness ?? null,
    reward,
  };
}

/** The compliance part of an answer: the score from the median compliance, or why there is none. */
function compliancePart(outcome: GradeOutcome): GradeResult {
  if (outcome.status === "error") {
    return {
      score: null,
      compliance: null,
      verdict: "error",
      failure_kind: null,
      relied_on_sections: [],
      reason: `judge:${outcome.error.kind}`,
      message: outcome.error.message,
    };
  }
  const { verdict, grades } = outcome;
  if (verdict.status === "ungraded" || verdict.compliance === null) {
    return {
      score: null,
      compliance: null,
      verdict: "ungraded",
      failure_kind: null,
      relied_on_sections: [],
      reason: verdict.reason,
      message: `${verdict.usableGrades} usable of ${grades.length} grader samples drawn`,
    };
  }
  const usable = grades.filter((g) => g.status === "ok");
  return {
    score: (verdict.compliance - 1) / 6,
    compliance: verdict.compliance,
    verdict: verdict.compliant ? "compliant" : "non-compliant",
    failure_kind: mostNamed(usable.flatMap((g) => (g.failureKind ? [g.failureKind] : []))),
    relied_on_sections: [...new Set(usable.flatMap((g) => g.reliedOn.map((id) => id.replace(/^#/, ""))))],
    reason: null,
    message: null,
  };
}

/** The value named most often; a tie goes to the one named first. */
function mostNamed(values: string[]): string | null {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | null = null;
  for (const [v, n] of counts) if (best === null || n > (counts.get(best) ?? 0)) best = v;
  return best;
}
