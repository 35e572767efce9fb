export { cacheRoot, releaseCacheDir } from "./cache.js";
export { type CompiledSpec, compileSpec, type SpecFiles } from "./compile.js";
export { type Diagnostic, formatDiagnostic, SpecError } from "./diagnostics.js";
export { diffSpecs, type SpecDiff } from "./diff.js";
export { type FetchOptions, type FetchResult, fetchRelease } from "./fetch.js";
export { type LintResult, lintSpec } from "./lint.js";
export { compileSpecDir, loadSpec, type SpecLocation } from "./load.js";
export * from "./model.js";
export {
  evalPromptsOf,
  examplesOf,
  filterSections,
  findSection,
  type SearchHit,
  type SectionFilter,
  searchSpec,
} from "./query.js";
export { LATEST_RELEASE, RELEASES, type Release } from "./releases.js";
export { diffSectionTexts, type SectionTextChange, type WordDiffPart } from "./word-diff.js";
