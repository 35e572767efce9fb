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

export interface SearchHit {
  kind: "section" | "example" | "evalPrompt";
  id: string;
  sectionId: string | null;
  title: string;
  /** A short excerpt around the first match. */
  excerpt: string;
}

/**
 * Case-insensitive text search over section titles and bodies, example and eval prompt conversations.
 *
 * @example
 * for (const hit of searchSpec(spec, "prompt injection")) console.log(hit.kind, hit.id, hit.excerpt);
 */
export function searchSpec(model: SpecModel, text: string): SearchHit[] {
  const needle = text.toLowerCase();
  const hits: SearchHit[] = [];
  const excerpt = (haystack: string) => {
    const at = haystack.toLowerCase().indexOf(needle);
    if (at < 0) return null;
    const start = Math.max(0, at - 40);
    const end = Math.min(haystack.length, at + needle.length + 40);
    return `${start > 0 ? "…" : ""}${haystack.slice(start, end).replace(/\s+/g, " ")}${end < haystack.length ? "…" : ""}`;
  };
  for (const s of model.sections) {
    const found = excerpt(`${s.title}\n${s.body}`);
    if (found) hits.push({ kind: "section", id: s.id, sectionId: s.id, title: s.title, excerpt: found });
  }
  for (const e of model.examples) {
    const text = [e.title ?? "", ...e.messages.map((m) => m.content), ...e.responses.map((r) => r.content)];
    const found = excerpt(text.join("\n"));
    if (found)
      hits.push({
        kind: "example",
        id: e.id,
        sectionId: e.sectionId,
        title: e.title ?? e.id,
        excerpt: found,
      });
  }
  for (const p of model.evalPrompts) {
    const found = excerpt([p.title ?? "", ...p.messages.map((m) => m.content)].join("\n"));
    if (found)
      hits.push({
        kind: "evalPrompt",
        id: p.id,
        sectionId: p.sectionId,
        title: p.title ?? p.id,
        excerpt: found,
      });
  }
  return hits;
}
