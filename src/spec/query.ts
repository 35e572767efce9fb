import { normalizeAuthority } from "../conversation/index.js";
import type { EvalPrompt, Example, Section, SpecModel } from "./model.js";

export interface SectionFilter {
  /** Authority level; `root` also matches sections written `platform` in older releases. */
  authority?: string;
  tag?: string;
  /** Id of a level-1 section: keeps it and everything below. */
  topLevel?: string;
}

/**
 * The sections with this authority (`root` also matches `platform` in older releases), tag, and/or under this
 * top-level section.
 *
 * @example
 * const rootSections = filterSections(spec, { authority: "root" });
 */
export function filterSections(model: SpecModel, filter: SectionFilter): Section[] {
  return model.sections.filter(
    (s) =>
      (!filter.authority || (s.authority !== null && normalizeAuthority(s.authority) === filter.authority)) &&
      (!filter.tag || s.tags.includes(filter.tag)) &&
      (!filter.topLevel || s.topLevelId === filter.topLevel),
  );
}

/**
 * The section with this id.
 *
 * @example
 * findSection(spec, "ignore_untrusted_data")?.authority; // "root"
 */
export function findSection(model: SpecModel, id: string): Section | undefined {
  return model.sections.find((s) => s.id === id);
}

/**
 * The example conversations (GOOD/BAD responses) written in a section.
 *
 * @example
 * for (const example of examplesOf(spec, "avoid_sycophancy")) console.log(example.title);
 */
export function examplesOf(model: SpecModel, sectionId: string): Example[] {
  return model.examples.filter((e) => e.sectionId === sectionId);
}

/**
 * The evaluation prompts (examples/*.md) that cite a section.
 *
 * @example
 * console.log(evalPromptsOf(spec, "be_creative").length);
 */
export function evalPromptsOf(model: SpecModel, sectionId: string): EvalPrompt[] {
  return model.evalPrompts.filter((p) => p.sectionId === sectionId);
}
