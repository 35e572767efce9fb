import { createProvider, type Provider, type ProviderSettings } from "../providers/index.js";

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

  async close(): Promise<void> {
    for (const provider of this.owned.splice(0)) await provider.close?.();
  }
}

/** The name a model is recorded under. */
export const modelId = (model: string | Provider): string => (typeof model === "string" ? model : model.id);
