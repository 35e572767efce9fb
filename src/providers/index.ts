export { createProvider, type ProviderSettings, splitModelName } from "./registry.js";
export {
  type GenerateRequest,
  type GenerateResult,
  type Provider,
  ProviderError,
  type ProviderErrorKind,
  type ResponseSchema,
  type TokenUsage,
} from "./types.js";
