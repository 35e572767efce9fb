import type { SectionAuthority } from "../conversation/index.js";
import { compareAuthority, isSectionAuthority, normalizeAuthority } from "../conversation/index.js";
import { parseConversation } from "./conversation-parser.js";
import type { Diagnostic } from "./diagnostics.js";
import { markdown, type Token } from "./markdown.js";
import type { CrossReference, Example, Footnote, Section } from "./model.js";

export interface ParsedSpecDocument {
  sections: Section[];
  examples: Example[];
  footnotes: Footnote[];
  diagnostics: Diagnostic[];
}

const HEADING = /^(#{1,6})\s+(.*?)\s*\{#([^\s}]*)([^}]*)\}\s*$/;
const HEADING_ATTRIBUTE = /^([a-z_]+)=(\S+)$/;
const FOOTNOTE_REF = /\[\^([\w-]+)\]/g;
const EXAMPLE_TITLE = /^\*\*Example\*\*\s*:?\s*/;
const FENCE_CLOSE = /^\s{0,3}(`{3,}|~{3,})\s*$/;

interface SectionDraft extends Section {
  endLine: number; // exclusive, 0-based
  startLine: number; // 0-based line of the heading
}

/** Compiles `model_spec.md` into sections, examples and footnote references. `file` names it in diagnostics. */
export function parseSpecDocument(text: string, file: string): ParsedSpecDocument {
  const lines = text.split(/\r?\n/);
  const tokens = markdown.parse(text, {});
  const diagnostics: Diagnostic[] = [];
  const report = (severity: Diagnostic["severity"], code: string, line0: number, message: string) =>
    diagnostics.push({ severity, code, file, line: line0 + 1, message });

  const sections = readSections(tokens, lines, report);
  if (sections.length === 0) report("error", "no-sections", 0, "no headings with {#id} found");
  const sectionAt = sectionLocator(sections);
  const byId = new Map<string, SectionDraft>();
  for (const s of sections) {
    const previous = byId.get(s.id);
    if (previous) {
      report(
        "error",
        "duplicate-id",
        s.startLine,
        `duplicate section id '${s.id}' (first at line ${previous.line})`,
      );
    } else byId.set(s.id, s);
  }

  const examples: Example[] = [];
  const footnotes = new Map<string, Footnote>();
  let commentaryEnd = -1;
  const examplesPerSection = new Map<string, number>();

  const noteFootnotes = (content: string, line0: number, section: SectionDraft) => {
    for (const m of content.matchAll(FOOTNOTE_REF)) {
      const id = m[1] ?? "";
      const line = line0 + lineOffset(content, m.index ?? 0);
      if (!section.footnoteRefs.includes(id)) section.footnoteRefs.push(id);
      const seen = footnotes.get(id);
      if (!seen) footnotes.set(id, { id, sectionId: section.id, file: null, line: line + 1 });
      else if (seen.line !== line + 1) {
        report(
          "warning",
          "footnote-cited-twice",
          line,
          `footnote [^${id}] is also cited at line ${seen.line}`,
        );
      }
    }
  };

  for (let t = 0; t < tokens.length; t++) {
    const token = tokens[t] as Token;
    const map = token.map;
    if (!map) continue;
    const section = sectionAt(map[0]);

    if (token.type === "fence") {
      if (!isClosedFence(lines, map)) {
        report("error", "unclosed-fence", map[0], "code fence is never closed");
      }
      if (token.info.trim() !== "xml" || !section) continue;
      const conversation = parseConversation(token.content.split("\n"), map[0] + 2, file);
      diagnostics.push(...conversation.diagnostics);
      const n = (examplesPerSection.get(section.id) ?? 0) + 1;
      examplesPerSection.set(section.id, n);
      examples.push({
        id: `${section.id}/${n}`,
        sectionId: section.id,
        title: exampleTitle(tokens, t),
        messages: conversation.messages,
        responses: conversation.responses,
        line: map[0] + 1,
      });
      continue;
    }

    if (token.type === "paragraph_open" && section && lines[map[0]]?.startsWith("!!! meta")) {
      const { text: note, end } = readCommentary(lines, map[0]);
      section.commentary.push(note);
      commentaryEnd = end;
      continue;
    }

    if (token.type === "inline" && section) {
      collectCrossReferences(token, map[0], section.crossReferences);
      noteFootnotes(token.content, map[0], section);
    } else if (token.type === "code_block" && section && map[0] < commentaryEnd) {
      // Commentary after a blank line is indented, so CommonMark reads it as code: its links still count.
      for (const m of token.content.matchAll(/\[([^\]]*)\]\(#([^)\s]+)\)/g)) {
        const line = map[0] + lineOffset(token.content, m.index ?? 0) + 1;
        section.crossReferences.push({ id: m[2] ?? "", text: m[1] ?? "", title: null, line });
      }
      noteFootnotes(token.content, map[0], section);
    }
  }

  for (const s of sections) {
    for (const ref of s.crossReferences) ref.title = byId.get(ref.id)?.title ?? null;
    s.body = lines
      .slice(s.startLine + 1, s.endLine)
      .join("\n")
      .trim();
  }
  fillHierarchy(sections, report);

  return {
    sections: sections.map(({ endLine: _e, startLine: _s, ...section }) => section),
    examples,
    footnotes: [...footnotes.values()],
    diagnostics,
  };
}

type Report = (severity: Diagnostic["severity"], code: string, line0: number, message: string) => void;

function readSections(tokens: Token[], lines: string[], report: Report): SectionDraft[] {
  const sections: SectionDraft[] = [];
  for (const token of tokens) {
    if (token.type !== "heading_open" || token.level !== 0 || !token.map) continue;
    const line0 = token.map[0];
    const raw = lines[line0] ?? "";
    const m = HEADING.exec(raw);
    if (!m) {
      if (raw.includes("{#"))
        report("error", "malformed-heading", line0, `heading attribute block is malformed`);
      else report("warning", "heading-without-id", line0, `heading has no {#id}; it is not a section`);
      continue;
    }
    const [, hashes = "", title = "", id = "", attributeText = ""] = m;
    if (!/^[\w-]+$/.test(id)) {
      report("error", "malformed-heading", line0, `section id '${id}' must be letters, digits, _ or -`);
      continue;
    }
    let authority: SectionAuthority | null = null;
    const tags: string[] = [];
    for (const attribute of attributeText.trim().split(/\s+/).filter(Boolean)) {
      const a = HEADING_ATTRIBUTE.exec(attribute);
      if (!a) {
        report("error", "malformed-heading", line0, `heading attribute '${attribute}' is not key=value`);
        continue;
      }
      const [, key, value = ""] = a;
      if (key === "authority") {
        if (isSectionAuthority(value)) authority = value;
        else report("error", "unknown-authority", line0, `unknown authority '${value}' on section '${id}'`);
      } else if (key === "tags") {
        tags.push(...value.split(",").filter(Boolean));
      } else {
        report("warning", "unknown-attribute", line0, `unknown heading attribute '${key}'`);
      }
    }
    const previous = sections.at(-1);
    if (previous) previous.endLine = line0;
    sections.push({
      id,
      title,
      level: hashes.length,
      authority,
      authoritiesBelow: [],
      tags,
      parentId: null,
      topLevelId: id,
      body: "",
      commentary: [],
      crossReferences: [],
      footnoteRefs: [],
      line: line0 + 1,
      startLine: line0,
      endLine: lines.length,
    });
  }
  return sections;
}

/** Returns the section containing a 0-based line, scanning forward as lines only increase. */
function sectionLocator(sections: SectionDraft[]): (line0: number) => SectionDraft | undefined {
  let index = 0;
  return (line0) => {
    if (index > 0 && line0 < (sections[index]?.startLine ?? 0)) index = 0;
    while (index + 1 < sections.length && (sections[index + 1]?.startLine ?? Infinity) <= line0) index++;
    const s = sections[index];
    return s && s.startLine <= line0 ? s : undefined;
  };
}

function fillHierarchy(sections: SectionDraft[], report: Report): void {
  const stack: SectionDraft[] = [];
  for (const s of sections) {
    while (stack.length > 0 && (stack.at(-1)?.level ?? 0) >= s.level) stack.pop();
    const parent = stack.at(-1);
    s.parentId = parent?.id ?? null;
    s.topLevelId = stack[0]?.id ?? s.id;
    stack.push(s);
  }
  const children = new Map<string, SectionDraft[]>();
  for (const s of sections) {
    if (s.parentId) children.set(s.parentId, [...(children.get(s.parentId) ?? []), s]);
  }
  const below = (s: SectionDraft): SectionAuthority[] =>
    (children.get(s.id) ?? []).flatMap((c) => [...(c.authority ? [c.authority] : []), ...below(c)]);
  for (const s of sections) {
    const found = [...new Set(below(s))];
    s.authoritiesBelow = found.sort((a, b) => compareAuthority(normalizeAuthority(a), normalizeAuthority(b)));
    if (s.authority && (children.get(s.id)?.length ?? 0) > 0) {
      report(
        "warning",
        "authority-on-group",
        s.startLine,
        `section '${s.id}' has subsections and an authority`,
      );
    }
  }
}

function exampleTitle(tokens: Token[], fenceIndex: number): string | null {
  // The title is the paragraph right before the fence: paragraph_open, inline, paragraph_close, fence.
  const inline = tokens[fenceIndex - 2];
  if (tokens[fenceIndex - 1]?.type !== "paragraph_close" || inline?.type !== "inline") return null;
  if (!EXAMPLE_TITLE.test(inline.content)) return null;
  return inline.content.replace(EXAMPLE_TITLE, "").trim() || null;
}

function collectCrossReferences(inline: Token, line0: number, into: CrossReference[]): void {
  const children = inline.children ?? [];
  for (let i = 0; i < children.length; i++) {
    const child = children[i];
    const href = child?.type === "link_open" ? child.attrGet("href") : null;
    if (!href?.startsWith("#")) continue;
    let text = "";
    for (let j = i + 1; j < children.length && children[j]?.type !== "link_close"; j++) {
      text += children[j]?.content ?? "";
    }
    into.push({ id: decodeURIComponent(href.slice(1)), text, title: null, line: line0 + 1 });
  }
}

/** Reads a `!!! meta` block: the marker line, then blank or indented lines, dedented. */
function readCommentary(lines: string[], start: number): { text: string; end: number } {
  let end = start + 1;
  const body: string[] = [];
  while (end < lines.length) {
    const line = lines[end] ?? "";
    if (line.trim() !== "" && !/^( {4}|\t)/.test(line)) break;
    body.push(line.replace(/^( {4}|\t)/, ""));
    end++;
  }
  return { text: body.join("\n").trim(), end };
}

function isClosedFence(lines: string[], map: [number, number]): boolean {
  const last = lines[map[1] - 1] ?? "";
  return map[1] - map[0] >= 2 && FENCE_CLOSE.test(last);
}

function lineOffset(text: string, index: number): number {
  let n = 0;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}
