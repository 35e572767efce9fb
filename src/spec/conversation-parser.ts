import { type ContentPart, type Message, ROLES, type Role } from "../conversation/index.js";
import type { Diagnostic } from "./diagnostics.js";
import type { CandidateResponse, ResponseLabel } from "./model.js";

/**
 * Parses the body of a ```xml conversation block: `<role attr="v">…</role>` messages, `<comparison>` groups of
 * labelled candidate responses (`<!-- GOOD: note -->`), and `<untrusted>`/`<settings>` parts inside messages.
 * The blocks are not XML (content holds bare `<` and `&`), so tags are only recognised at the start of a line.
 */
export interface ParsedConversation {
  messages: Message[];
  responses: CandidateResponse[];
  diagnostics: Diagnostic[];
}

const ROLE_SET = new Set<string>(ROLES);
const OPEN_TAG = /^<([a-z_]+)((?:\s+[a-z_]+="[^"]*")*)\s*>(.*)$/;
const ATTRIBUTE = /([a-z_]+)="([^"]*)"/g;
// `<!-- GOOD -->`, `<!-- BAD: note -->`, `<!-- GOOD, note -->`, `<!-- BAD[#section_id] -->`
const LABEL = /^<!--\s*(GOOD|BAD|OK)((?:\[#[\w-]+\])*)\s*(?:[:,]\s*([\s\S]*?))?\s*-->\s*$/;
const PART_TAGS = { untrusted: "untrusted", settings: "settings" } as const;

export function parseConversation(lines: string[], firstLine: number, file: string): ParsedConversation {
  const messages: Message[] = [];
  const responses: CandidateResponse[] = [];
  const diagnostics: Diagnostic[] = [];
  const report = (severity: Diagnostic["severity"], code: string, offset: number, message: string) =>
    diagnostics.push({ severity, code, file, line: firstLine + offset, message });

  let comparison = -1;
  let inComparison = false;
  let comparisonStart = 0;
  let i = 0;
  while (i < lines.length) {
    let line = (lines[i] ?? "").trimEnd();
    // One release has a stray `*` before some tags; the official render shows the tag as a tag.
    if (/^\*<\/?[a-z]/.test(line)) {
      report("warning", "stray-character", i, "stray '*' before a tag");
      line = line.slice(1);
    }
    // `[...]` between messages marks turns the spec leaves out; the render shows it as text.
    if (line.trim() === "" || line.trim() === "[...]") {
      i++;
      continue;
    }
    if (line === "<comparison>") {
      if (inComparison)
        report("error", "malformed-conversation", i, "<comparison> inside another <comparison>");
      inComparison = true;
      comparisonStart = i;
      comparison++;
      i++;
      continue;
    }
    if (line === "</comparison>") {
      if (!inComparison) report("error", "malformed-conversation", i, "</comparison> without <comparison>");
      inComparison = false;
      i++;
      continue;
    }
    const open = OPEN_TAG.exec(line);
    if (!open) {
      report(
        "error",
        "malformed-conversation",
        i,
        `text outside a message: ${JSON.stringify(line.slice(0, 60))}`,
      );
      i++;
      continue;
    }
    const [, tag = "", attributeText = "", afterTag = ""] = open;
    if (!ROLE_SET.has(tag)) {
      report("error", "malformed-conversation", i, `unknown role <${tag}>`);
    }
    const role = tag as Role;
    const attributes: Record<string, string> = {};
    for (const m of attributeText.matchAll(ATTRIBUTE)) attributes[m[1] ?? ""] = m[2] ?? "";

    // After the tag: an optional label comment (comparisons) and, rarely, content on the same line.
    let rest = afterTag.trim();
    let label: { label: ResponseLabel; note: string | null; refs: string[] } | null = null;
    if (rest.startsWith("<!--")) {
      const end = rest.indexOf("-->");
      const m = end >= 0 ? LABEL.exec(rest.slice(0, end + 3)) : null;
      if (m) {
        label = {
          label: m[1] as ResponseLabel,
          note: m[3] ? m[3] : null,
          refs: [...(m[2] ?? "").matchAll(/\[#([\w-]+)\]/g)].map((r) => r[1] ?? ""),
        };
      } else {
        report(
          "error",
          "malformed-label",
          i,
          `unrecognised label comment ${JSON.stringify(rest.slice(0, 60))}`,
        );
      }
      rest = end >= 0 ? rest.slice(end + 3).trim() : "";
    }

    const start = i;
    const closing = `</${tag}>`;
    const body: string[] = [];
    let closed = false;
    if (rest.endsWith(closing)) {
      body.push(rest.slice(0, -closing.length));
      closed = true;
      i++;
    } else {
      if (rest !== "") body.push(rest);
      i++;
      while (i < lines.length) {
        const contentLine = lines[i] ?? "";
        const trimmed = contentLine.trimEnd();
        if (trimmed.endsWith(closing) && !trimmed.endsWith(`\\${closing}`)) {
          const before = trimmed.slice(0, -closing.length);
          if (before.trim() !== "") body.push(before);
          closed = true;
          i++;
          break;
        }
        body.push(contentLine);
        i++;
      }
    }
    if (!closed) {
      report("error", "unclosed-tag", start, `<${tag}> is never closed with ${closing}`);
    }

    const content = trimBlankLines(body).join("\n");
    const { parts, problems } = splitParts(content);
    for (const p of problems) report("error", "unclosed-tag", start + 1 + p.offset, p.message);
    const message: Message = { role, content, parts };
    if (Object.keys(attributes).length > 0) message.attributes = attributes;

    if (inComparison) {
      if (role !== "assistant") {
        report(
          "error",
          "malformed-conversation",
          start,
          `<${tag}> inside <comparison>; only assistant responses`,
        );
      }
      if (!label) {
        report("error", "missing-label", start, "response in <comparison> has no GOOD/BAD/OK label");
        continue;
      }
      responses.push({
        ...label,
        content,
        parts,
        attributes: message.attributes,
        comparison,
        turn: messages.length,
        line: firstLine + start,
      });
    } else {
      if (label)
        report("warning", "label-outside-comparison", start, "label on a message outside <comparison>");
      messages.push(message);
    }
  }
  if (inComparison) report("error", "unclosed-tag", comparisonStart, "<comparison> is never closed");
  return { messages, responses, diagnostics };
}

function trimBlankLines(lines: string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && (lines[start] ?? "").trim() === "") start++;
  while (end > start && (lines[end - 1] ?? "").trim() === "") end--;
  return lines.slice(start, end);
}

/** Splits message content into text, `<untrusted>` and `<settings>` parts (tags on their own lines). */
function splitParts(content: string): {
  parts: ContentPart[];
  problems: { offset: number; message: string }[];
} {
  const parts: ContentPart[] = [];
  const problems: { offset: number; message: string }[] = [];
  let current: { type: ContentPart["type"]; lines: string[]; offset: number } = {
    type: "text",
    lines: [],
    offset: 0,
  };
  const flush = () => {
    const text = trimBlankLines(current.lines).join("\n");
    if (text !== "") parts.push({ type: current.type, text });
  };
  const lines = content.split("\n");
  lines.forEach((line, offset) => {
    const tag = /^<(\/?)(untrusted|settings)>$/.exec(line.trim());
    if (!tag) {
      current.lines.push(line);
      return;
    }
    const [, slash, name] = tag;
    const type = PART_TAGS[name as keyof typeof PART_TAGS];
    if (slash === "") {
      if (current.type !== "text") problems.push({ offset, message: `<${name}> inside <${current.type}>` });
      flush();
      current = { type, lines: [], offset };
    } else {
      if (current.type !== type) problems.push({ offset, message: `</${name}> without <${name}>` });
      flush();
      current = { type: "text", lines: [], offset };
    }
  });
  if (current.type !== "text") {
    problems.push({ offset: current.offset, message: `<${current.type}> is never closed` });
  }
  flush();
  return { parts, problems };
}
