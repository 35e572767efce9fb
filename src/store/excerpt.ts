/**
 * Excerpts of prompts and responses for tables: SQL reads a window of the text (never the whole of a long
 * answer), and the excerpt is cut from it here, so every table shows text the same way.
 */

/** The whitespace trimmed off both ends before an excerpt is taken (an answer may open with blank lines). */
const TRIM = "char(32, 9, 10, 13)";

/** Select-list SQL: `<as>` = the first `window` characters of `expr` once trimmed, `<as>_more` = 1 if more follow. */
export function textWindow(expr: string, window: number, as: string): string {
  return `substr(trim(${expr}, ${TRIM}), 1, ${window}) AS ${as}, length(trim(${expr}, ${TRIM})) > ${window} AS ${as}_more`;
}

/** How far before a match an excerpt starts, so the match is read in context. */
const LEAD = 60;
/** How far an excerpt's ends move to fall between words. */
const SLACK = 20;

/**
 * A readable excerpt of at most `size` characters (plus the marks): runs of whitespace become one space, the
 * ends fall between words when a space is near, and `…` marks text left out at either end. With a `needle`
 * found in the window (case-insensitively), the excerpt is taken around its first match.
 */
export function excerptOf(window: string, more: boolean, size: number, needle?: string): string {
  const flat = window.replace(/\s+/g, " ").trim();
  const at = needle ? flat.toLowerCase().indexOf(needle.toLowerCase()) : -1;
  let start = at > LEAD ? at - LEAD : 0;
  if (start > 0) {
    const space = flat.indexOf(" ", start);
    if (space >= 0 && space < start + SLACK && space < at) start = space + 1;
  }
  let end = Math.min(flat.length, start + size);
  if (end < flat.length) {
    const space = flat.lastIndexOf(" ", end);
    if (space > end - SLACK && space > start) end = space;
  }
  const cut = flat.slice(start, end).trim();
  return `${start > 0 ? "…" : ""}${cut}${end < flat.length || more ? "…" : ""}`;
}
