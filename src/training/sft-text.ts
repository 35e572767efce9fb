import { count, terminalText, tokens, usd } from "../report/index.js";
import type { ReasoningDataSummary } from "./sft.js";

/**
 * What `modelspec data sft` prints without --json: what was kept and where it went, then the dropped prompts by
 * reason. Paths are the user's own, shown through `terminalText` all the same.
 *
 * @example
 * console.log(renderReasoningData(await reasoningData({ generator: "openai:gpt-5", judge: "openai:gpt-5", out: "sft.jsonl" })));
 */
export function renderReasoningData(s: ReasoningDataSummary): string {
  const dropped = Object.entries(s.dropped)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${count(n)} ${reason}`);
  const kinds = Object.entries(s.errorKinds).map(([kind, n]) => `${kind} ${count(n)}`);
  const where = s.stopped
    ? "stopped: nothing written (run the same command again to go on; answers and grades so far are kept)"
    : `${terminalText(s.out)} (provenance: ${terminalText(s.provenance)})`;
  const lines = [
    `Kept ${count(s.kept)} of ${count(s.prompts)} prompts: ${where}`,
    `Dropped: ${dropped.length > 0 ? dropped.join(", ") : "none"}${kinds.length > 0 ? ` (errors: ${kinds.join(", ")})` : ""}; generator answers that were not the JSON asked for: ${count(s.invalidAnswers)}`,
    `Tokens: generator ${tokens(s.tokens.generator.input + s.tokens.generator.output)}, judge ${tokens(s.tokens.judge.input + s.tokens.judge.output)} (cached: ${count(s.cachedAnswers)} answers, ${count(s.cachedGrades)} grades); estimated cost ${usd(s.estimatedCostUsd)}`,
  ];
  return lines.join("\n");
}
