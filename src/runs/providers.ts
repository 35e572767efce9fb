import { createProvider, type Provider, type ProviderSettings } from "../providers/index.js";
import type { JudgeOptions } from "./options.js";

/** The providers a run uses: named ones are created here and closed by `close`; given instances are the caller's. */
export class RunProviders {
  private readonly owned: Provider[] = [];

  /** The provider for a name (created) or an instance (used as it is). */
  async get(model: string | Provider, settings: ProviderSettings): Promise<Provider> {
    if (typeof model !== "string") return model;
    const provider = await createProvider(model, settings);
    this.owned.push(provider);
    return provider;
  }

  /** The judge the options name, on the judge's own server (`judgeBaseUrl`, never the candidate's). */
  judge(o: Pick<JudgeOptions, "judge" | "judgeBaseUrl" | "threads" | "contextSize" | "maxResponseBytes">) {
    return this.get(o.judge, {
      baseURL: o.judgeBaseUrl,
      threads: o.threads,
      contextSize: o.contextSize,
      maxResponseBytes: o.maxResponseBytes,
    });
  }

  async close(): Promise<void> {
    for (const provider of this.owned.splice(0)) await provider.close?.();
  }
}

/** The name a model is recorded under. */
export const modelId = (model: string | Provider): string => (typeof model === "string" ? model : model.id);
