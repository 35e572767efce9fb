export { evalPromptSamples, exampleSamples } from "./from-spec.js";
export {
  inputMessages,
  JsonlInputSchema,
  type JsonlRecord,
  readJsonlDataset,
  toJsonlRecord,
} from "./jsonl.js";
export { type Sample, SampleSchema } from "./sample.js";
export { type SampleFilter, selectSamples } from "./select.js";
