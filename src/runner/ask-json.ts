import type { z } from "zod";
import { readModelJson } from "../judge/index.js";
import type { GenerateRequest, Provider, TokenUsage } from "../providers/index.js";
import { type CallPolicy, callProvider } from "./call.js";
import type { AdaptiveLimiter } from "./limiter.js";

/**
 * A model's JSON answer read against a schema: the value, or why no usable answer came within `maxAnswers`.
 * `invalid` lists why each unusable answer was unusable (not JSON, or not the schema), in order.
 */
export type JsonAnswer<T> =
  | { ok: true; value: T; invalid: string[]; usage: TokenUsage }
  | { ok: false; invalid: string[]; usage: TokenUsage };

/**
 * Asks a model for one JSON object and reads it with a zod schema, asking again (up to `maxAnswers` answers in
 * all) when the answer is not JSON (`readModelJson`: a fence allowed, a key twice refused) or not of the schema; a generator's answer that cannot be read is counted,
 * never used. Each call goes through `callProvider` (the limiter, timeouts and retries of provider errors);
 * a provider error that outlasts them is thrown as the ProviderError.
 *
 * @example
 * const answer = await askJson(generator, limiter, request, z.object({ prompts: z.array(z.string()) }), {
 *   maxAnswers: 3, policy: DEFAULT_POLICY, signal });
 * if (answer.ok) console.log(answer.value.prompts);
 */
export async function askJson<S extends z.ZodType>(
  provider: Provider,
  limiter: AdaptiveLimiter,
  request: GenerateRequest,
  schema: S,
  options: { maxAnswers: number; policy: CallPolicy; signal: AbortSignal },
): Promise<JsonAnswer<z.infer<S>>> {
  const invalid: string[] = [];
  const usage: TokenUsage = { inputTokens: 0, outputTokens: 0 };
  for (let answer = 1; answer <= options.maxAnswers; answer++) {
    const { result } = await callProvider(provider, limiter, request, options.policy, options.signal);
    usage.inputTokens += result.usage.inputTokens;
    usage.outputTokens += result.usage.outputTokens;
    const json = readModelJson(result.text);
    if (!json.ok) {
      invalid.push(json.reason);
      continue;
    }
    const parsed = schema.safeParse(json.value);
    if (parsed.success) return { ok: true, value: parsed.data, invalid, usage };
    const issue = parsed.error.issues[0];
    invalid.push(`${issue?.path.join(".") || "answer"}: ${issue?.message ?? "invalid"}`);
  }
  return { ok: false, invalid, usage };
}
