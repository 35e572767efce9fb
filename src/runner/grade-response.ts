import type { Sample } from "../dataset/index.js";
import {
  buildJudgePrompt,
  decideVerdict,
  gradeRequest,
  gradersToDraw,
  JUDGE_PROMPT_VERSION,
  type JudgingSettings,
  readGrade,
  type Verdict,
} from "../judge/index.js";
import { type Provider, ProviderError } from "../providers/index.js";
import type { SpecModel } from "../spec/index.js";
import type { GradeRecord, ResultStore } from "../store/index.js";
import { type CallPolicy, callProvider } from "./call.js";
import { messageKey, requestKey } from "./keys.js";
import type { AdaptiveLimiter } from "./limiter.js";

/** What grading needs: the judge and its limiter, how it grades, and the store whose grade cache it shares. */
export interface GradingPlan {
  store: ResultStore;
  spec: SpecModel;
  judge: { provider: Provider; limiter: AdaptiveLimiter };
  /** With the boundary token every delimiter of the judge prompt carries. */
  judging: JudgingSettings & { boundary: string };
  policy: CallPolicy;
  signal: AbortSignal;
}

/** Counters grading adds to (a run's progress state has them all). */
export interface GradingCounters {
  cachedGrades: number;
  retries: number;
  inputTokens: number;
  outputTokens: number;
}

/**
 * One response graded: the verdict over the grader samples drawn, or the provider error that stopped the judge
 * (never a pass or a fail). `grades` are the grader samples drawn, in order of index.
 */
export type GradeOutcome =
  | { status: "verdict"; verdict: Verdict; grades: GradeRecord[] }
  | { status: "error"; error: ProviderError; grades: GradeRecord[] };

let lastHashed: { text: string; hash: string } | null = null;

/** sha256 of a text, remembering the last one: the same string instance comes back for every grade. */
function hashOnce(text: string): string {
  if (lastHashed?.text !== text) lastHashed = { text, hash: requestKey({ text }) };
  return lastHashed.hash;
}

/**
 * Grades one response to one sample as a run does: the same judge prompt, grader samples drawn in rounds (with
 * early stopping when the settings ask for it), each looked up in the store's grade cache by content key before
 * the judge is asked, and the same verdict rule. So a response graded here and in an eval with the same judge
 * and settings gets the same grades, and pays for them once. A stop (the plan's signal) throws the `aborted`
 * ProviderError; any other provider failure is an `error` outcome.
 *
 * @example
 * const outcome = await gradeResponse(plan, sample, "I can't help with that.");
 * if (outcome.status === "verdict") console.log(outcome.verdict.compliance);
 */
export async function gradeResponse(
  plan: GradingPlan,
  sample: Sample,
  response: string,
  counters?: GradingCounters,
): Promise<GradeOutcome> {
  const prompt = buildJudgePrompt({
    model: plan.spec,
    sample,
    response,
    context: plan.judging.context,
    boundary: plan.judging.boundary,
    hideExamples: plan.judging.hideExamples,
    rubric: plan.judging.rubric,
  });
  const grades: GradeRecord[] = [];
  const { judging } = plan;
  // Grader samples are drawn in order of index (each index its own cached grade), in rounds: with early stopping
  // the fewest that could settle the verdict, together, until it is settled; without it all N at once. Early
  // stopping settles the compliant flag only, not the safe-completion axes: that mode always draws all N.
  const earlyStop = judging.earlyStop === true && judging.rubric !== "safe-completion";
  const toDraw = () => (earlyStop ? gradersToDraw(grades, judging) : judging.graderSamples - grades.length);
  try {
    for (let round = toDraw(); round > 0; round = toDraw()) {
      const first = grades.length;
      await Promise.all(
        Array.from({ length: round }, async (_, i) => {
          grades[first + i] = await obtainGrade(plan, prompt, first + i, counters);
        }),
      );
    }
  } catch (error) {
    if (!(error instanceof ProviderError) || error.kind === "aborted") throw error;
    return { status: "error", error, grades: grades.filter(Boolean) };
  }
  return { status: "verdict", verdict: decideVerdict(grades, judging), grades };
}

async function obtainGrade(
  plan: GradingPlan,
  prompt: ReturnType<typeof buildJudgePrompt>,
  index: number,
  counters: GradingCounters | undefined,
): Promise<GradeRecord> {
  const { provider, limiter } = plan.judge;
  const request = gradeRequest(prompt, plan.judging);
  const key = requestKey({
    kind: "grade",
    version: JUDGE_PROMPT_VERSION,
    judge: provider.id,
    // The system message is the whole spec: hash it once, not for every grader sample of every sample.
    system: hashOnce(prompt[0]?.content ?? ""),
    messages: messageKey(prompt.slice(1)),
    maxTokens: request.maxTokens,
    temperature: request.temperature ?? null,
    graderSample: index,
    // Only in safe-completion mode, so compliance grades keep their keys (its prompt differs anyway).
    ...(plan.judging.rubric === "safe-completion" ? { rubric: plan.judging.rubric } : {}),
  });
  const cached = plan.store.getGrade(key);
  if (cached) {
    if (counters) counters.cachedGrades++;
    return cached;
  }
  const { result } = await callProvider(provider, limiter, request, plan.policy, plan.signal, () => {
    if (counters) counters.retries++;
  });
  if (counters) {
    counters.inputTokens += result.usage.inputTokens;
    counters.outputTokens += result.usage.outputTokens;
  }
  const grade: GradeRecord = {
    key,
    judge: provider.id,
    ...readGrade(result, plan.judging.rubric),
    inputTokens: result.usage.inputTokens,
    outputTokens: result.usage.outputTokens,
    cachedTokens: result.usage.cachedInputTokens ?? null,
  };
  plan.store.putGrade(grade);
  return grade;
}
