export { toOpenAIMessages } from "./openai/index.js";
export { createProvider, type ProviderSettings, parseProviderName } from "./registry.js";
export {
  type GenerateRequest,
  type GenerateResult,
  type Provider,
  ProviderError,
  type ProviderErrorKind,
  type ResponseSchema,
  type TokenUsage,
} from "./types.js";
