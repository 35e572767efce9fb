/**
 * Text made safe to drop into Markdown (GitHub's: CommonMark with tables): one line, no HTML, no emphasis, code,
 * links or table cells opened by what the text contains. Model names, labels and section ids are the user's or
 * a dataset's; nothing they hold may change the comment around them.
 */

/** Characters Markdown reads as syntax inline; each is backslash-escaped (CommonMark escapes any ASCII punctuation). */
const SYNTAX = new Set([
  "\\",
  "`",
  "*",
  "_",
  "{",
  "}",
  "[",
  "]",
  "(",
  ")",
  "#",
  "+",
  "-",
  "!",
  "|",
  "~",
  "$",
]);
/** Start of a tag, an autolink or an entity: written as entities, which GitHub shows as the character. */
const ENTITIES: Record<string, string> = { "<": "&lt;", ">": "&gt;", "&": "&amp;" };

/**
 * The text escaped for Markdown, on one line (line breaks and other control characters become spaces).
 *
 * @example
 * markdownText("a|b <script>`x`"); // "a\\|b &lt;script&gt;\\`x\\`"
 */
export function markdownText(text: string): string {
  let out = "";
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x20 || (code >= 0x7f && code < 0xa0) || code === 0x2028 || code === 0x2029) out += " ";
    else if (SYNTAX.has(ch)) out += `\\${ch}`;
    else out += ENTITIES[ch] ?? ch;
  }
  return out;
}
