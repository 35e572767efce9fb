export {
  createOpenAIProvider,
  OPENAI_DEFAULT_BASE_URL,
  type OpenAIProviderOptions,
} from "./openai-provider.js";
export { type OpenAIMappingOptions, toOpenAIMessages } from "./role-mapping.js";
