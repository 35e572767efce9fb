export {
  type GenerationResult,
  type GenerationSummary,
  generatePrompts,
} from "./generate.js";
export type { GeneratedRecord } from "./records.js";
