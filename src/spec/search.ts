/**
 * Full-text search over a compiled spec with MiniSearch (a small, well-kept BM25 index): sections, example
 * conversations and eval prompts, titles weighted above text, words matched by prefix and, from five letters, with
 * a typo. The index is built once per compiled spec.
 */
import MiniSearch from "minisearch";
import type { SectionAuthority } from "../conversation/index.js";
import type { SpecModel } from "./model.js";

export interface SearchHit {
  kind: "section" | "example" | "evalPrompt";
  id: string;
  sectionId: string | null;
  title: string;
  /** The authority of the section (for an example or eval prompt: of the section it belongs to). */
  authority: SectionAuthority | null;
  /** Relevance (BM25 with the title boost); hits come highest first. */
  score: number;
  /** A short excerpt of the text around the first matched word. */
  excerpt: string;
}

interface SearchOptions {
  /** At most this many hits (default 20). */
  limit?: number;
}

interface SearchDoc {
  key: string;
  kind: SearchHit["kind"];
  id: string;
  sectionId: string | null;
  title: string;
  text: string;
}

/** A title word counts this many times a word of the text. */
const TITLE_BOOST = 3;
/** A document holding the query's words as one phrase: its score is multiplied by this. */
const PHRASE_BOOST = 2;
const EXCERPT_CHARS = 120;

const indexes = new WeakMap<SpecModel, MiniSearch<SearchDoc>>();

function indexOf(model: SpecModel): MiniSearch<SearchDoc> {
  const known = indexes.get(model);
  if (known) return known;
  const index = new MiniSearch<SearchDoc>({
    idField: "key",
    fields: ["title", "text"],
    // The document's own id is read back from its key: a stored `id` would shadow the result's id.
    storeFields: ["kind", "sectionId", "title", "text"],
  });
  const docs: SearchDoc[] = [
    ...model.sections.map((s) => ({
      key: `section:${s.id}`,
      kind: "section" as const,
      id: s.id,
      sectionId: s.id,
      title: s.title,
      text: s.body,
    })),
    ...model.examples.map((e) => ({
      key: `example:${e.id}`,
      kind: "example" as const,
      id: e.id,
      sectionId: e.sectionId,
      title: e.title ?? e.id,
      text: [...e.messages.map((m) => m.content), ...e.responses.map((r) => r.content)].join("\n"),
    })),
    ...model.evalPrompts.map((p) => ({
      key: `evalPrompt:${p.id}`,
      kind: "evalPrompt" as const,
      id: p.id,
      sectionId: p.sectionId,
      title: p.title ?? p.id,
      text: p.messages.map((m) => m.content).join("\n"),
    })),
  ];
  index.addAll(docs);
  indexes.set(model, index);
  return index;
}

/** Markdown as it reads: footnote marks dropped, a link as its text (`[?](#id)`: the section's title). */
function readable(markdown: string, titles: Map<string, string>): string {
  return markdown
    .replace(/\[\^[\w-]+\]/g, "")
    .replace(/\[([^\]]*)\]\(([^)\s]*)\)/g, (_, text: string, href: string) =>
      text === "?" && href.startsWith("#") ? (titles.get(href.slice(1)) ?? href.slice(1)) : text,
    );
}

/**
 * The text around a matched word (or its start), on one line: the longest of the query's words as written, else
 * the longest word it matched with a typo. The longest says most ("injection" rather than "of").
 */
function excerptAround(text: string, query: readonly string[], terms: readonly string[]): string {
  const lower = text.toLowerCase();
  const longestFirst = (words: readonly string[]) => [...words].sort((a, b) => b.length - a.length);
  const wordAt = (word: string) => {
    const escaped = word.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return new RegExp(`(?<![\\p{L}\\p{N}])${escaped}`, "u").exec(lower)?.index;
  };
  const at = [...longestFirst(query), ...longestFirst(terms)].map(wordAt).find((i) => i !== undefined);
  const start = at === undefined ? 0 : Math.max(0, at - 30);
  const end = Math.min(text.length, start + EXCERPT_CHARS);
  const body = text.slice(start, end).replace(/\s+/g, " ").trim();
  return `${start > 0 ? "…" : ""}${body}${end < text.length ? "…" : ""}`;
}

/**
 * Ranked full-text search over section titles and text, example conversations and eval prompts: every word must
 * match (by prefix, or with a typo from five letters), else any word; titles weigh three times the text, and a
 * text with the words together as written ranks twice as high.
 *
 * @example
 * for (const hit of searchSpec(spec, "prompt injection", { limit: 5 })) console.log(hit.kind, hit.id, hit.title);
 */
export function searchSpec(model: SpecModel, query: string, options: SearchOptions = {}): SearchHit[] {
  const index = indexOf(model);
  const authority = new Map(model.sections.map((s) => [s.id, s.authority]));
  const titles = new Map(model.sections.map((s) => [s.id, s.title]));
  // A text holding the query's words as written, together, ranks above one holding them apart.
  const phrase = query.trim().toLowerCase().replace(/\s+/g, " ");
  const together = (doc: Record<string, unknown> | undefined) =>
    phrase.includes(" ") &&
    `${doc?.title ?? ""}\n${doc?.text ?? ""}`.toLowerCase().replace(/\s+/g, " ").includes(phrase);
  const search = (combineWith: "AND" | "OR") =>
    index.search(query, {
      boost: { title: TITLE_BOOST },
      prefix: true,
      // A fifth of the word's letters may be wrong (one typo from five letters, two from ten); short words exact.
      fuzzy: (term) => (term.length >= 5 ? 0.2 : false),
      combineWith,
      boostDocument: (_id, _term, doc) => (together(doc) ? PHRASE_BOOST : 1),
    });
  const found = search("AND");
  const results = found.length > 0 ? found : search("OR");
  return results.slice(0, options.limit ?? 20).map((r) => {
    const sectionId = (r.sectionId as string | null) ?? null;
    const kind = r.kind as SearchHit["kind"];
    return {
      kind,
      id: String(r.id).slice(kind.length + 1),
      sectionId,
      title: r.title as string,
      authority: sectionId ? (authority.get(sectionId) ?? null) : null,
      score: r.score,
      excerpt: excerptAround(readable(r.text as string, titles), r.queryTerms, r.terms),
    };
  });
}
