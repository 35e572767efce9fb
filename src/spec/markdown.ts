import MarkdownIt from "markdown-it";

/**
 * One CommonMark parser for the spec and its example files. CommonMark (not GFM) on purpose: the spec's
 * footnote references have no definitions, and fences/indentation must be read exactly as the render does.
 */
export const markdown = new MarkdownIt("commonmark");

/** Same parser without inline parsing, for files where only block structure (fences) matters. */
export const blockMarkdown = new MarkdownIt("commonmark");
blockMarkdown.core.ruler.disable("inline");

export type Token = ReturnType<typeof markdown.parse>[number];
