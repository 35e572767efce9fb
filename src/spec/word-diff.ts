import { diffWords } from "diff";
import type { SpecModel } from "./model.js";

/** A run of a section's text: unchanged, inserted in the newer spec, or deleted from the older one. */
export interface WordDiffPart {
  op: "same" | "add" | "del";
  text: string;
}

/** How a section's own text changed from one spec to another, word by word. */
export interface SectionTextChange {
  id: string;
  /** The title in the newer spec. */
  title: string;
  /** The whole text, as unchanged, inserted and deleted runs in order. */
  parts: WordDiffPart[];
  wordsAdded: number;
  wordsRemoved: number;
  /**
   * The texts differ in too many places for a word diff (over 2 000 tokens changed): `parts` is then the old text
   * deleted and the new one inserted.
   */
  rewritten: boolean;
}

/**
 * Bounds the diff's work (it grows with the text's length times the edits): every section of the published
 * releases, rewritten ones included, diffs within it.
 */
const MAX_EDIT_LENGTH = 2000;

const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

/**
 * The word diff of every section whose own text differs between spec `a` and spec `b` (the sections of
 * `diffSpecs(a, b).textChanged`, in `b`'s order). A change of whitespace or line breaks only has no
 * inserted or deleted part.
 *
 * @example
 * for (const change of diffSectionTexts(loadSpec("2025-09-12"), loadSpec("2025-12-18")))
 *   console.log(change.id, `+${change.wordsAdded} −${change.wordsRemoved} words`);
 */
export function diffSectionTexts(a: SpecModel, b: SpecModel): SectionTextChange[] {
  const before = new Map(a.sections.map((s) => [s.id, s.body]));
  const changes: SectionTextChange[] = [];
  for (const section of b.sections) {
    const old = before.get(section.id);
    if (old === undefined || old === section.body) continue;
    const diff = diffWords(old, section.body, { maxEditLength: MAX_EDIT_LENGTH });
    const parts: WordDiffPart[] = diff
      ? diff.map((c) => ({ op: c.added ? "add" : c.removed ? "del" : "same", text: c.value }))
      : [
          { op: "del", text: old },
          { op: "add", text: section.body },
        ];
    const count = (op: WordDiffPart["op"]) =>
      parts.reduce((n, p) => n + (p.op === op ? words(p.text) : 0), 0);
    changes.push({
      id: section.id,
      title: section.title,
      parts,
      wordsAdded: count("add"),
      wordsRemoved: count("del"),
      rewritten: diff === undefined,
    });
  }
  return changes;
}
