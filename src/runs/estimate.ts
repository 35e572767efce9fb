/**
 * What a run will cost before it starts: its calls, its tokens per role and their price. The prompts counted are
 * the ones the run sends — the samples it selects, the candidate's input, the judge prompt with the context the
 * run uses — so `--dry-run` and the start line of a real run say the same. Output tokens cannot be known before
 * the answers exist: the low end assumes typical answers, the high end every answer at its cap.
 */
import type { Sample } from "../dataset/index.js";
import { buildJudgePrompt, gradersToDraw, type JudgingSettings } from "../judge/index.js";
import { parseProviderName } from "../providers/index.js";
import { loadSpec, type SpecModel } from "../spec/index.js";
import { selectDataset } from "./dataset.js";
import { type EvaluateOptions, EvaluateOptionsSchema, judgingFrom, parseOptions } from "./options.js";
import { type Prices, priceOf, pricesFrom } from "./prices.js";
import { modelId } from "./providers.js";
import type { Range, RoleEstimate, RunEstimate } from "./run-estimate.js";
import { type Counting, countingFor, messageTokens, tokenCounter } from "./token-count.js";

/** Typical answer lengths in tokens: a chat answer, a judge's JSON grade with a short rationale. */
const TYPICAL_OUTPUT = { candidate: 400, judge: 300 };

/** Beyond this many samples, an even spread of this many is counted and scaled up: the start stays quick. */
const MAX_COUNTED = 300;

/**
 * A fixed boundary token of the real length: the estimate's judge prompts are the run's with a token that counts
 * like one, and the same every time (a run draws its own).
 */
export const COUNTING_BOUNDARY = "7d3f0a92c5e1b8461f0e2d9c3a7b5e68";

/**
 * What an eval would cost, without running it: the samples it would select, its calls, tokens per role
 * (candidate and judge input counted on the real prompts; output assumed) and their price. Takes the options of
 * `evaluate` (plus `prices`); sends nothing, writes nothing, creates no run.
 *
 * @example
 * const estimate = await estimateRun({ model: "openai:gpt-4.1-mini", judge: "openai:gpt-5", limit: 20 });
 * console.log(estimate.judge.calls, estimate.judge.inputTokens, estimate.costUsd);
 */
export async function estimateRun(options: EvaluateOptions): Promise<RunEstimate> {
  const o = parseOptions(EvaluateOptionsSchema, options);
  const spec = typeof o.spec === "string" ? loadSpec(o.spec) : o.spec;
  const samples = selectDataset(spec, o);
  const model = modelId(o.model);
  const judge = modelId(o.judge);
  // Named models are checked as a run would check them (a Provider given is the caller's).
  for (const named of [o.model, o.judge]) if (typeof named === "string") parseProviderName(named);
  return estimateSamples({
    spec,
    items: samples.map((sample) => ({ sample })),
    epochs: o.epochs,
    candidate: { model, maxTokens: o.maxTokens },
    judge,
    judging: judgingFrom(o, judge, false),
    prices: pricesFrom(o.prices),
  });
}

/** What an estimate is made from: a run's samples (with their responses when given) and settings. */
interface EstimateInput {
  spec: SpecModel;
  items: readonly { sample: Sample; response?: string }[];
  epochs: number;
  /** Null when the responses are given (calibration). */
  candidate: { model: string; maxTokens: number } | null;
  judge: string;
  judging: JudgingSettings;
  prices: Prices;
}

/** The estimate of a run whose samples are selected already (evaluate and calibrate use it for the start line). */
export async function estimateSamples(input: EstimateInput): Promise<RunEstimate> {
  const { items, epochs, judging } = input;
  const counted = spread(items, MAX_COUNTED);
  const scale = counted.length > 0 ? items.length / counted.length : 0;
  const answers = items.length * epochs;
  const typical = {
    candidate: Math.min(TYPICAL_OUTPUT.candidate, input.candidate?.maxTokens ?? 0),
    judge: Math.min(TYPICAL_OUTPUT.judge, judging.maxTokens),
  };

  let candidate: RoleEstimate | null = null;
  if (input.candidate) {
    const counting = countingFor(input.candidate.model);
    const count = await tokenCounter(counting);
    // Every sample once (one epoch).
    const onePass = sum(counted.map((i) => messageTokens(i.sample.input, count))) * scale;
    candidate = role(input.candidate.model, counting, input.prices, {
      calls: { low: answers, high: answers },
      inputTokens: { low: onePass * epochs, high: onePass * epochs },
      outputTokens: { low: answers * typical.candidate, high: answers * input.candidate.maxTokens },
    });
  }

  const counting = countingFor(input.judge);
  const count = remembered(await tokenCounter(counting));
  // The prompt as the run builds it, with the response when it is given; one still to come is counted as its
  // assumed length (typical at the low end, the candidate's cap at the high end).
  const prompts = sum(
    counted.map((i) =>
      messageTokens(
        buildJudgePrompt({
          model: input.spec,
          sample: i.sample,
          response: i.response ?? "",
          context: judging.context,
          boundary: COUNTING_BOUNDARY,
          hideExamples: judging.hideExamples,
          rubric: judging.rubric,
        }),
        count,
      ),
    ),
  );
  // One grader sample of every sample, one epoch.
  const onePass = {
    low: prompts * scale + (input.candidate ? typical.candidate * items.length : 0),
    high: prompts * scale + (input.candidate ? input.candidate.maxTokens * items.length : 0),
  };
  const draws = {
    low: judging.earlyStop === true ? gradersToDraw([], judging) : judging.graderSamples,
    high: judging.graderSamples,
  };
  const judgeRole = role(input.judge, counting, input.prices, {
    calls: { low: answers * draws.low, high: answers * draws.high },
    inputTokens: { low: onePass.low * epochs * draws.low, high: onePass.high * epochs * draws.high },
    outputTokens: {
      low: answers * draws.low * typical.judge,
      high: answers * draws.high * judging.maxTokens,
    },
  });

  const costs = [candidate?.costUsd, judgeRole.costUsd].filter((c) => c !== undefined);
  return {
    samples: items.length,
    epochs,
    counted: counted.length,
    graderSamples: judging.graderSamples,
    earlyStop: judging.earlyStop === true && judging.graderSamples > 1,
    judgeContext: judging.context,
    candidate,
    judge: judgeRole,
    costUsd: costs.every((c) => c !== null)
      ? { low: sum(costs.map((c) => c.low)), high: sum(costs.map((c) => c.high)) }
      : null,
    typicalOutput: typical,
    prices: input.prices.source,
  };
}

function role(
  model: string,
  counting: Counting,
  prices: Prices,
  figures: Pick<RoleEstimate, "calls" | "inputTokens" | "outputTokens">,
): RoleEstimate {
  const whole = (r: Range): Range => ({ low: Math.round(r.low), high: Math.round(r.high) });
  const inputTokens = whole(figures.inputTokens);
  const outputTokens = whole(figures.outputTokens);
  const price = priceOf(model, prices);
  const cost = (end: "low" | "high") =>
    price ? (inputTokens[end] * price.input + outputTokens[end] * price.output) / 1_000_000 : 0;
  return {
    model,
    counting,
    calls: figures.calls,
    inputTokens,
    outputTokens,
    costUsd: price ? { low: cost("low"), high: cost("high") } : null,
  };
}

/** At most `max` items, evenly spread over the list (all of them when there are no more). */
function spread<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  return Array.from({ length: max }, (_, i) => items[Math.floor((i * items.length) / max)] as T);
}

/** A counter that counts a long text once: the full-context system prompt is the same for every sample. */
function remembered(count: (text: string) => number): (text: string) => number {
  const long = new Map<string, number>();
  return (text) => {
    if (text.length < 4096) return count(text);
    let n = long.get(text);
    if (n === undefined) {
      n = count(text);
      long.set(text, n);
    }
    return n;
  };
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
