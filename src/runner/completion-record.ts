import type { GenerateResult } from "../providers/index.js";
import type { CompletionRecord } from "../store/index.js";

/**
 * A model's answer as the completions table keeps it, under its content key.
 *
 * @example
 * store.putCompletion(completionRecord(key, provider.id, result));
 */
export function completionRecord(key: string, provider: string, result: GenerateResult): CompletionRecord {
  return {
    key,
    provider,
    text: result.text,
    inputTokens: result.usage.inputTokens,
    outputTokens: result.usage.outputTokens,
    cachedTokens: result.usage.cachedInputTokens ?? null,
    finishReason: result.finishReason ?? null,
    refusal: result.refusal ?? null,
  };
}
