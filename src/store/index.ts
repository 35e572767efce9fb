export { SCHEMA_VERSION } from "./schema.js";
export {
  type CompletionRecord,
  type GradeRecord,
  ResultStore,
  type RunRecord,
  type RunResultRow,
  type RunSampleRow,
  type VerdictRecord,
} from "./store.js";
