import type { TokenTotals } from "../store/index.js";

/**
 * Approximate list prices in USD per million tokens (input, output), for the cost estimate only. Local and
 * replayed models cost nothing; unknown models give null rather than a guess.
 */
const PRICES: Record<string, [number, number]> = {
  "openai:gpt-4.1": [2, 8],
  "openai:gpt-4.1-mini": [0.4, 1.6],
  "openai:gpt-4.1-nano": [0.1, 0.4],
  "openai:gpt-4o": [2.5, 10],
  "openai:gpt-4o-mini": [0.15, 0.6],
  "openai:gpt-5": [1.25, 10],
  "openai:gpt-5-mini": [0.25, 2],
  "anthropic:claude-sonnet-4-5": [3, 15],
  "anthropic:claude-haiku-4-5": [1, 5],
  "anthropic:claude-opus-4-1": [15, 75],
};

/** Estimated cost in US dollars of these tokens on this model; null when its price is unknown. */
export function estimateCost(model: string, tokens: TokenTotals): number | null {
  if (model.startsWith("local:") || model.startsWith("replay:")) return 0;
  const price = PRICES[model];
  if (!price) return null;
  return (tokens.input * price[0] + tokens.output * price[1]) / 1_000_000;
}
