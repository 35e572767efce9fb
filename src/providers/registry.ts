import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { UsageError } from "../errors.js";
import { cacheRoot } from "../spec/index.js";
import type { Provider } from "./types.js";

const PROVIDER_PREFIXES = ["openai", "anthropic", "local", "replay"] as const;

export interface ProviderSettings {
  /** The server: for `openai:` any OpenAI-compatible one (else OPENAI_BASE_URL), for `anthropic:` else ANTHROPIC_BASE_URL. */
  baseURL?: string;
  timeoutMs?: number;
  /** CPU threads for local models. */
  threads?: number;
  contextSize?: number;
  /**
   * The largest answer accepted, in bytes (default 1 MiB): an HTTP provider stops reading a response body past
   * it, a local or replay provider checks the text. An answer over it fails as `too_large` (not retried).
   */
  maxResponseBytes?: number;
}

/**
 * Creates a provider from a name such as `openai:gpt-4.1-mini`, `anthropic:claude-sonnet-4-5`,
 * `local:./model.gguf` or `replay:./responses.jsonl`. Keys are read from the environment by each provider;
 * a missing key is a `ProviderError` of kind `auth`, an unknown prefix a `UsageError`.
 *
 * @example
 * const provider = await createProvider("openai:my-model", { baseURL: "http://localhost:8000/v1" });
 * const { text } = await provider.generate({ messages: [textMessage("user", "Hello!")] });
 */
export async function createProvider(name: string, settings: ProviderSettings = {}): Promise<Provider> {
  const { prefix, rest } = splitModelName(name);
  // Each implementation is loaded when named: an SDK costs every run that does not use it memory and start-up.
  switch (prefix) {
    case "openai":
      return (await import("./openai/index.js")).createOpenAIProvider({
        id: name,
        model: rest,
        baseURL: settings.baseURL,
        timeoutMs: settings.timeoutMs,
        maxResponseBytes: settings.maxResponseBytes,
      });
    case "anthropic":
      return (await import("./anthropic/index.js")).createAnthropicProvider({
        id: name,
        model: rest,
        baseURL: settings.baseURL,
        timeoutMs: settings.timeoutMs,
        maxResponseBytes: settings.maxResponseBytes,
      });
    case "local": {
      const modelPath = rest.startsWith("hf:") ? await downloadModel(name, rest) : resolve(rest);
      // Said before anything is written: a run without its model weights would be nothing but errors.
      if (!existsSync(modelPath)) throw new UsageError(`model '${name}': no such file ${modelPath}`);
      return (await import("./local/index.js")).createLocalProvider({
        id: name,
        modelPath,
        threads: settings.threads,
        contextSize: settings.contextSize,
        maxResponseBytes: settings.maxResponseBytes,
      });
    }
    case "replay":
      return (await import("./replay/index.js")).createReplayProvider({
        id: name,
        path: rest,
        maxResponseBytes: settings.maxResponseBytes,
      });
  }
}

/**
 * A model name's provider and model, checked without creating anything (a dry run names its models this way): a
 * name without both, or with an unknown provider, is a `UsageError`.
 */
export function splitModelName(name: string): { prefix: (typeof PROVIDER_PREFIXES)[number]; rest: string } {
  const colon = name.indexOf(":");
  const prefix = colon > 0 ? name.slice(0, colon) : "";
  const rest = colon > 0 ? name.slice(colon + 1) : "";
  if (rest === "") {
    throw new UsageError(
      `model '${name}': expected <provider>:<model>, e.g. openai:gpt-4.1-mini (providers: ${PROVIDER_PREFIXES.join(", ")})`,
    );
  }
  const known = PROVIDER_PREFIXES.find((p) => p === prefix);
  if (!known) {
    throw new UsageError(
      `model '${name}': unknown provider '${prefix}' (known: ${PROVIDER_PREFIXES.join(", ")})`,
    );
  }
  return { prefix: known, rest };
}

/** Resolves an `hf:` reference to a local file, downloading it into the cache once (needs internet). */
async function downloadModel(name: string, reference: string): Promise<string> {
  try {
    // Loaded on use, as the local provider does: node-llama-cpp costs every other command ~40 MB and startup time.
    const { resolveModelFile } = await import("node-llama-cpp");
    return await resolveModelFile(reference, { directory: `${cacheRoot()}/models`, cli: false });
  } catch (error) {
    throw new UsageError(
      `model '${name}': cannot download ${reference} (${(error as Error).message}); pass a local .gguf path`,
    );
  }
}
