import { createHash } from "node:crypto";
import type { SectionAuthority } from "../conversation/index.js";
import type { Example, Section, SpecModel } from "./model.js";

interface SectionRef {
  id: string;
  title: string;
  authority: SectionAuthority | null;
  parentId: string | null;
}

export interface SpecDiff {
  from: string | null;
  to: string | null;
  added: SectionRef[];
  removed: SectionRef[];
  retitled: { id: string; from: string; to: string }[];
  authorityChanged: {
    id: string;
    title: string;
    from: SectionAuthority | null;
    to: SectionAuthority | null;
  }[];
  moved: { id: string; from: string | null; to: string | null }[];
  /** Sections present in both whose own text changed. */
  textChanged: string[];
  /** Example changes per section, matched by title within the section. */
  examples: { sectionId: string; added: string[]; removed: string[]; changed: string[] }[];
  evalPromptFiles: { added: string[]; removed: string[]; changed: string[] };
}

const ref = (s: Section): SectionRef => ({
  id: s.id,
  title: s.title,
  authority: s.authority,
  parentId: s.parentId,
});

/**
 * What changed from spec `a` to spec `b`: sections by id, examples by title, eval prompt files by name.
 *
 * @example
 * const diff = diffSpecs(loadSpec("2025-09-12"), loadSpec("2025-12-18"));
 * console.log(diff.added.map((s) => s.id), diff.authorityChanged);
 */
export function diffSpecs(a: SpecModel, b: SpecModel): SpecDiff {
  const before = new Map(a.sections.map((s) => [s.id, s]));
  const after = new Map(b.sections.map((s) => [s.id, s]));
  const diff: SpecDiff = {
    from: a.source.version,
    to: b.source.version,
    added: b.sections.filter((s) => !before.has(s.id)).map(ref),
    removed: a.sections.filter((s) => !after.has(s.id)).map(ref),
    retitled: [],
    authorityChanged: [],
    moved: [],
    textChanged: [],
    examples: [],
    evalPromptFiles: { added: [], removed: [], changed: [] },
  };
  for (const s of b.sections) {
    const old = before.get(s.id);
    if (!old) continue;
    if (old.title !== s.title) diff.retitled.push({ id: s.id, from: old.title, to: s.title });
    if (old.authority !== s.authority) {
      diff.authorityChanged.push({ id: s.id, title: s.title, from: old.authority, to: s.authority });
    }
    if (old.parentId !== s.parentId) diff.moved.push({ id: s.id, from: old.parentId, to: s.parentId });
    if (old.body !== s.body) diff.textChanged.push(s.id);
  }

  const sectionIds = [...new Set([...a.sections, ...b.sections].map((s) => s.id))];
  for (const sectionId of sectionIds) {
    const oldExamples = keyedExamples(a.examples.filter((e) => e.sectionId === sectionId));
    const newExamples = keyedExamples(b.examples.filter((e) => e.sectionId === sectionId));
    const change = {
      sectionId,
      added: [...newExamples.keys()].filter((k) => !oldExamples.has(k)),
      removed: [...oldExamples.keys()].filter((k) => !newExamples.has(k)),
      changed: [...newExamples.keys()].filter(
        (k) => oldExamples.has(k) && oldExamples.get(k) !== newExamples.get(k),
      ),
    };
    if (change.added.length + change.removed.length + change.changed.length > 0) diff.examples.push(change);
  }

  const oldFiles = filesByName(a);
  const newFiles = filesByName(b);
  diff.evalPromptFiles.added = [...newFiles.keys()].filter((f) => !oldFiles.has(f)).sort();
  diff.evalPromptFiles.removed = [...oldFiles.keys()].filter((f) => !newFiles.has(f)).sort();
  diff.evalPromptFiles.changed = [...newFiles.keys()]
    .filter((f) => oldFiles.has(f) && oldFiles.get(f) !== newFiles.get(f))
    .sort();
  return diff;
}

/** Examples keyed by title (numbered when a title repeats) with a hash of their conversation. */
function keyedExamples(examples: Example[]): Map<string, string> {
  const keyed = new Map<string, string>();
  for (const e of examples) {
    const base = e.title ?? "(untitled)";
    let key = base;
    for (let n = 2; keyed.has(key); n++) key = `${base} (${n})`;
    keyed.set(
      key,
      hash([e.messages.map((m) => [m.role, m.content]), e.responses.map((r) => [r.label, r.content])]),
    );
  }
  return keyed;
}

function filesByName(model: SpecModel): Map<string, string> {
  const files = new Map<string, unknown[]>();
  for (const p of model.evalPrompts) files.set(p.file, [...(files.get(p.file) ?? []), [p.title, p.messages]]);
  return new Map([...files].map(([file, content]) => [file, hash(content)]));
}

function hash(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex");
}
