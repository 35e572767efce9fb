/**
 * One spec section for a terminal, as `modelspec spec show` prints it: its markdown rendered (headings,
 * emphasis, lists, quotes, code), links written out (`text (url)`; a link to another section by its title and
 * id), footnote marks numbered and resolved to the eval prompts they cite, `!!! meta` commentary as a quote.
 */
import MarkdownIt from "markdown-it";
import { UsageError } from "../errors.js";
import {
  type EvalPrompt,
  evalPromptsOf,
  examplesOf,
  findSection,
  type Section,
  type SpecModel,
} from "../spec/index.js";
import { excerpt, terminalText } from "./format.js";
import { type TerminalStyle, terminalStyle, visibleLength, wrapLine } from "./terminal-style.js";

// CommonMark, as the spec is parsed (src/spec/markdown.ts): its footnote marks have no definitions.
const markdown = new MarkdownIt("commonmark");
type Token = ReturnType<typeof markdown.parse>[number];

export interface SectionTextOptions {
  /** ANSI styles (else plain markers). Default false. */
  color?: boolean;
  /** Lines are wrapped to this many columns. Default 100. */
  width?: number;
}

const FOOTNOTE = /\[\^([\w-]+)\]/g;
const COMMENTARY = /^!!!\s+meta(?:\s+"([^"]*)")?\s*$/;
const FENCE = /^\s{0,3}(```|~~~)/;

/**
 * A section as `modelspec spec show` prints it: title, authority, the rendered text, its examples, and its eval
 * prompts grouped under the footnote that cites them. A `UsageError` when the spec has no such section.
 *
 * @example
 * console.log(renderSection(loadSpec("2025-12-18"), "ignore_untrusted_data", { color: process.stdout.isTTY }));
 */
export function renderSection(model: SpecModel, id: string, options: SectionTextOptions = {}): string {
  const section = findSection(model, id);
  if (!section) throw new UsageError(`no section '${id}' in this spec`);
  const style = terminalStyle(options.color ?? false);
  const width = options.width ?? 100;
  const examples = examplesOf(model, id);
  const prompts = evalPromptsOf(model, id);
  const out = [
    `${style.heading(terminalText(section.title))}  {#${section.id}}`,
    `authority: ${section.authority ?? "none"}${section.authoritiesBelow.length ? `  (below: ${section.authoritiesBelow.join(", ")})` : ""}` +
      `${section.tags.length ? `  tags: ${section.tags.join(", ")}` : ""}  parent: ${section.parentId ?? "-"}  line ${section.line}`,
    "",
    renderMarkdown(withCommentaryAsQuotes(section.body), { model, section, style, width }),
    "",
    `${examples.length} example(s), ${prompts.length} eval prompt(s)`,
  ];
  for (const e of examples) {
    const labels = e.responses.map((r) => r.label).join("/");
    out.push(`  ${e.id}  ${terminalText(e.title ?? "")}${labels ? `  [${labels}]` : ""}`);
  }
  out.push(...evalPromptLines(section, prompts, model, style, width));
  return out.join("\n");
}

/** The eval prompts under the footnote mark that cites them, in the order the text cites them. */
function evalPromptLines(
  section: Section,
  prompts: EvalPrompt[],
  model: SpecModel,
  style: TerminalStyle,
  width: number,
): string[] {
  if (section.footnoteRefs.length === 0 && prompts.length === 0) return [];
  const lines = ["", "Eval prompts, by footnote:"];
  const list = (group: EvalPrompt[]) =>
    group.map((p) => `      ${p.id}  ${excerpt(terminalText(promptLine(p)), width - 10 - p.id.length)}`);
  section.footnoteRefs.forEach((footnoteId, i) => {
    const note = model.footnotes.find((f) => f.id === footnoteId);
    const group = prompts.filter((p) => p.footnoteId === footnoteId);
    const where = note?.file ? `examples/${note.file}` : "no eval prompt file";
    lines.push(
      `  ${style.dim(`[${i + 1}]`)} ${footnoteId}  ${where}, ${group.length} prompt(s)`,
      ...list(group),
    );
  });
  const uncited = prompts.filter((p) => !section.footnoteRefs.includes(p.footnoteId));
  if (uncited.length > 0) {
    lines.push(
      `  not cited in the text (their file names this section): ${uncited.length} prompt(s)`,
      ...list(uncited),
    );
  }
  return lines;
}

/** A prompt's title, else the first line of its last message. */
function promptLine(p: EvalPrompt): string {
  return p.title ?? p.messages.at(-1)?.content.split("\n")[0] ?? "";
}

/**
 * `!!! meta "Commentary"` and its indented lines as a block quote led by its title, so CommonMark reads it as one
 * block (indented after a blank line, it would read as code).
 */
function withCommentaryAsQuotes(body: string): string {
  const lines = body.split("\n");
  const out: string[] = [];
  let fenced = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (FENCE.test(line)) fenced = !fenced;
    const m = fenced ? null : COMMENTARY.exec(line);
    if (!m) {
      out.push(line);
      continue;
    }
    const note: string[] = [];
    while (i + 1 < lines.length && /^(\s*$| {4}|\t)/.test(lines[i + 1] ?? "")) {
      note.push((lines[++i] ?? "").replace(/^( {4}|\t)/, ""));
    }
    while (note.length > 0 && note.at(-1)?.trim() === "") note.pop();
    out.push(`> **${m[1] ?? "Commentary"}**`, ">", ...note.map((l) => `> ${l}`), "");
  }
  return out.join("\n");
}

interface Context {
  model: SpecModel;
  section: Section;
  style: TerminalStyle;
  width: number;
}

/** A list item's marker, printed on its first line only; a quote's bar, on every line. */
type Container = { kind: "item"; marker: string; pending: boolean } | { kind: "quote" };

function renderMarkdown(text: string, ctx: Context): string {
  const tokens = markdown.parse(text, {});
  const { style } = ctx;
  const out: string[] = [];
  const containers: Container[] = [];
  const lists: { ordered: boolean }[] = [];
  let previousTight: boolean | null = null;
  /** The containers of the previous leaf block: a blank line between two blocks is in the ones they share. */
  let previous: Container[] = [];

  const prefix = (first: boolean, open = containers) =>
    open
      .map((c) => {
        // Unstyled: a style's end code here would also end a style that a wrapped line carries over.
        if (c.kind === "quote") return "│ ";
        return first && c.pending ? c.marker : " ".repeat(c.marker.length);
      })
      .join("");
  /** A leaf block's lines, wrapped inside its containers; a blank line before it unless a tight list goes on. */
  const emit = (lines: string[], tight: boolean, wrap: boolean) => {
    if (previousTight !== null && !(previousTight && tight)) {
      let shared = 0;
      while (shared < previous.length && previous[shared] === containers[shared]) shared++;
      out.push(prefix(false, containers.slice(0, shared)).trimEnd());
    }
    previousTight = tight;
    previous = [...containers];
    const lead = visibleLength(prefix(true));
    const shaped = wrap ? lines.flatMap((l) => wrapLine(l, Math.max(20, ctx.width - lead))) : lines;
    shaped.forEach((line, i) => {
      out.push(`${prefix(i === 0)}${line}`.trimEnd());
    });
    for (const c of containers) if (c.kind === "item") c.pending = false;
  };

  for (let t = 0; t < tokens.length; t++) {
    const token = tokens[t] as Token;
    switch (token.type) {
      case "bullet_list_open":
      case "ordered_list_open":
        lists.push({ ordered: token.type === "ordered_list_open" });
        break;
      case "bullet_list_close":
      case "ordered_list_close":
        lists.pop();
        break;
      case "list_item_open":
        containers.push({
          kind: "item",
          marker: lists.at(-1)?.ordered ? `${token.info}${token.markup} ` : "- ",
          pending: true,
        });
        break;
      case "blockquote_open":
        containers.push({ kind: "quote" });
        break;
      case "list_item_close":
      case "blockquote_close":
        containers.pop();
        break;
      case "heading_open": {
        const content = renderInline(tokens[t + 1]?.children ?? [], ctx);
        emit([style.strong(content)], false, true);
        t += 2;
        break;
      }
      case "paragraph_open": {
        const content = renderInline(tokens[t + 1]?.children ?? [], ctx);
        emit(content.split("\n"), token.hidden, true);
        t += 2;
        break;
      }
      case "fence":
      case "code_block":
      case "html_block": {
        const lines = token.content.replace(/\n$/, "").split("\n");
        const indent = token.type === "html_block" ? "" : "    ";
        emit(
          lines.map((l) => style.dim(`${indent}${terminalText(l.replace(/\t/g, "    "))}`)),
          false,
          false,
        );
        break;
      }
      case "hr":
        emit([style.dim("─".repeat(Math.min(40, ctx.width)))], false, false);
        break;
    }
  }
  return out.join("\n");
}

/** Inline markdown as styled text: emphasis, code, links written out, footnote marks numbered. */
function renderInline(children: Token[], ctx: Context): string {
  const { style, section, model } = ctx;
  let out = "";
  let text = "";
  const open: { start: number; href: string }[] = [];
  const flush = () => {
    // Footnote marks are read from whole runs of text: markdown-it may split `[^id]` over several tokens.
    out += terminalText(text).replace(FOOTNOTE, (mark, id: string) => {
      const n = section.footnoteRefs.indexOf(id);
      return n === -1 ? mark : style.dim(`[${n + 1}]`);
    });
    text = "";
  };
  /** Where each open emphasis began in `out`. */
  const spans: number[] = [];
  const close = (wrap: (text: string) => string) => {
    const start = spans.pop() ?? out.length;
    out = out.slice(0, start) + wrap(out.slice(start));
  };
  for (const child of children) {
    if (child.type === "text" || child.type === "html_inline") {
      text += child.content;
      continue;
    }
    flush();
    switch (child.type) {
      case "softbreak":
        out += " ";
        break;
      case "hardbreak":
        out += "\n";
        break;
      case "code_inline":
        out += style.code(terminalText(child.content));
        break;
      case "em_open":
      case "strong_open":
        spans.push(out.length);
        break;
      case "em_close":
        close(style.em);
        break;
      case "strong_close":
        close(style.strong);
        break;
      case "image":
        out += `[image: ${terminalText(child.content)}] (${terminalText(child.attrGet("src") ?? "")})`;
        break;
      case "link_open":
        open.push({ start: out.length, href: child.attrGet("href") ?? "" });
        break;
      case "link_close": {
        const link = open.pop();
        if (!link) break;
        out = out.slice(0, link.start) + writtenLink(out.slice(link.start), link.href, model, style);
        break;
      }
    }
  }
  flush();
  return out;
}

/**
 * A link as text: `text (url)`; a link to a section by its text (the section's title for `?`, as the spec
 * renders it) and its id.
 */
function writtenLink(text: string, href: string, model: SpecModel, style: TerminalStyle): string {
  if (href.startsWith("#")) {
    let id = href.slice(1);
    try {
      id = decodeURIComponent(id);
    } catch {
      // Not percent-encoded: the id as written.
    }
    const target = findSection(model, id);
    const shown = text === "?" ? terminalText(target?.title ?? id) : text;
    return `${style.link(shown)} ${style.dim(`(§${terminalText(id)}${target ? "" : ", not in this spec"})`)}`;
  }
  const url = terminalText(href);
  return text === url ? style.link(url) : `${style.link(text)} ${style.dim(`(${url})`)}`;
}
