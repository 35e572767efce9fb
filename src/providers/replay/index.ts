export { conversationFingerprint, createReplayProvider } from "./replay-provider.js";
