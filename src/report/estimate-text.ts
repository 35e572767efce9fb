import type { Range, RoleEstimate, RunEstimate } from "../runs/index.js";
import { count, tokens, usd } from "./format.js";
import { renderTable } from "./table.js";

const span = (r: Range, show: (n: number) => string) =>
  r.low === r.high ? show(r.low) : `${show(r.low)}–${show(r.high)}`;
const cost = (r: Range | null) => (r === null ? "unknown price" : span(r, usd));

const COUNTING: Record<RoleEstimate["counting"], string> = {
  o200k_base: "o200k_base",
  cl100k_base: "cl100k_base",
  "chars/4": "characters / 4, no tokenizer for this model family",
};

/**
 * A run's estimate as `modelspec eval --dry-run` prints it: samples and calls, tokens and cost per role as
 * ranges, and what the figures assume.
 *
 * @example
 * console.log(renderEstimate(await estimateRun({ model: "openai:gpt-4.1-mini", judge: "openai:gpt-5" })));
 */
export function renderEstimate(e: RunEstimate): string {
  const roles: [string, RoleEstimate][] = [
    ...(e.candidate ? [["candidate", e.candidate] as [string, RoleEstimate]] : []),
    ["judge", e.judge],
  ];
  const grading =
    e.earlyStop && e.judge.calls.low < e.judge.calls.high
      ? `up to ${e.graderSamples} grader samples each, stopping once the verdict can no longer change`
      : `${e.graderSamples} grader sample(s) each`;
  const counted =
    e.counted < e.samples ? `, counted on ${count(e.counted)} of them (evenly spread) and scaled up` : "";
  const caps = e.candidate ? "--max-tokens, --judge-max-tokens" : "--judge-max-tokens";
  const typical = e.candidate
    ? `${e.typicalOutput.candidate}-token answers and ${e.typicalOutput.judge}-token grades`
    : `${e.typicalOutput.judge}-token grades`;
  return [
    `${count(e.samples)} samples × ${e.epochs} epoch(s)${counted}; judge: ${grading}, ${e.judgeContext === "full" ? "full spec" : "section under test"} in context`,
    "",
    renderTable(
      ["role", "model", "calls", "input tokens", "output tokens (assumed)", "cost"],
      [
        ...roles.map(([name, r]) => [
          name,
          r.model,
          span(r.calls, count),
          span(r.inputTokens, tokens),
          span(r.outputTokens, tokens),
          cost(r.costUsd),
        ]),
        ["total", "", "", "", "", cost(e.costUsd)],
      ],
    ),
    "",
    `Input tokens are counted on the prompts the run sends (${roles.map(([name, r]) => `${name}: ${COUNTING[r.counting]}`).join("; ")}).`,
    `Output tokens cannot be known before the answers: the low end assumes ${typical}, the high end every answer at its cap (${caps}).${e.candidate ? " The judge reads each answer, so its input grows with them." : ""}`,
    `Prices: ${e.prices === "built-in" ? "built-in list prices" : `built-in list prices with ${e.prices === "given" ? "the given table" : e.prices} over them`} (USD per million tokens; prompt-caching discounts not counted).`,
  ].join("\n");
}

/**
 * The estimate in one line, for a run's start line: calls, tokens (input and output, both roles) and cost.
 *
 * @example
 * estimateLine(estimate); // "estimate: 40 candidate + 80–120 judge calls, 6.10M–9.40M tokens, $7.83–$12.77"
 */
export function estimateLine(e: RunEstimate): string {
  const roles = [e.candidate, e.judge].filter((r) => r !== null);
  const all = (end: "low" | "high") =>
    roles.reduce((n, r) => n + r.inputTokens[end] + r.outputTokens[end], 0);
  const calls = e.candidate
    ? `${span(e.candidate.calls, count)} candidate + ${span(e.judge.calls, count)} judge calls`
    : `${span(e.judge.calls, count)} judge calls`;
  return `estimate: ${calls}, ${span({ low: all("low"), high: all("high") }, tokens)} tokens, ${cost(e.costUsd)}`;
}
