export {
  createLocalProvider,
  DEFAULT_LOCAL_MAX_TOKENS,
  type LocalProviderOptions,
  TOOL_OUTPUT_NOTE,
  toLocalChatHistory,
  UNTRUSTED_NOTE,
} from "./local-provider.js";
