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

  /**
   * A model that answers (eval's candidate, data sft's generator) on its server, and the judge. One provider plays
   * both roles when they are the same named model and the judge has no server of its own: the answering model's
   * base URL is never the judge's (a judge on another server needs `judgeBaseUrl`).
   */
  async answererAndJudge(
    model: string | Provider,
    baseUrl: string | undefined,
    o: Pick<JudgeOptions, "judge" | "judgeBaseUrl" | "threads" | "contextSize" | "maxResponseBytes">,
  ): Promise<{ answerer: Provider; judge: Provider }> {
    const answerer = await this.get(model, {
      baseURL: baseUrl,
      threads: o.threads,
      contextSize: o.contextSize,
      maxResponseBytes: o.maxResponseBytes,
    });
    const shared = typeof o.judge === "string" && o.judge === modelId(model) && !o.judgeBaseUrl;
    return { answerer, judge: shared ? answerer : await this.judge(o) };
  }

  async close(): Promise<void> {
    for (const provider of this.owned.splice(0)) await provider.close?.();
  }
}

/** The name a model is recorded under. */
export const modelId = (model: string | Provider): string => (typeof model === "string" ? model : model.id);
