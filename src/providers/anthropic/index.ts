export {
  ANTHROPIC_DEFAULT_BASE_URL,
  ANTHROPIC_DEFAULT_MAX_TOKENS,
  type AnthropicProviderOptions,
  createAnthropicProvider,
} from "./anthropic-provider.js";
export { type AnthropicRequestParts, toAnthropicRequest } from "./role-mapping.js";
