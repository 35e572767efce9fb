import type { GenerateRequest, GenerateResult, Provider } from "../providers/index.js";
import { completionRecord, requestKey } from "../runner/index.js";
import type { ResultStore } from "../store/index.js";

/**
 * The generator with its answers kept in the results database's completions, by content key: the n-th answer to
 * the same request (same generator, server, messages and settings) is looked up before the generator is asked.
 * So `data sft` run again with the same options reads back the answers it had (and, through the grade cache,
 * their grades) and pays only for what is missing, e.g. after a stop. `cached` counts the answers read back.
 */
export function answerCache(
  provider: Provider,
  store: ResultStore,
  server: string | null,
): { provider: Provider; cached: () => number } {
  const asked = new Map<string, number>();
  let cached = 0;
  const generate = async (request: GenerateRequest): Promise<GenerateResult> => {
    const base = requestKey({
      kind: "sft-answer",
      provider: provider.id,
      server,
      messages: request.messages,
      maxTokens: request.maxTokens ?? null,
      temperature: request.temperature ?? null,
      schema: request.responseSchema ?? null,
    });
    const n = (asked.get(base) ?? 0) + 1;
    asked.set(base, n);
    const key = requestKey({ base, answer: n });
    const stored = store.getCompletion(key);
    if (stored) {
      cached++;
      return { text: stored.text, usage: { inputTokens: 0, outputTokens: 0 } };
    }
    const result = await provider.generate(request);
    store.putCompletion(completionRecord(key, provider.id, result));
    return result;
  };
  return { provider: { id: provider.id, generate }, cached: () => cached };
}
