/**
 * Free-text search over a run's prompts and responses. The text is matched as written (no LIKE pattern, so `%`
 * and `_` are characters) and without regard to case in any script: SQLite's own lower() folds ASCII only, so
 * the test is a function of ours, registered on every connection.
 */
import type Database from "better-sqlite3";

const FUNCTION = "modelspec_contains";

export function registerSearchFunction(db: Database.Database): void {
  db.function(FUNCTION, { deterministic: true }, (text: unknown, needle: unknown) =>
    typeof text === "string" && typeof needle === "string" && text.toLowerCase().includes(needle) ? 1 : 0,
  );
}

/** What a search looks for: the query trimmed and lower-cased; null for none. */
export function searchNeedle(search: string | undefined): string | null {
  const needle = search?.trim().toLowerCase();
  return needle ? needle : null;
}

/**
 * The condition on a sample row `s` joined to its completion `c`: the response or any message of the
 * conversation contains the needle (parameters: `searchParams`). The sample's JSON as stored is tested first: a
 * message cannot contain text its JSON does not, and most rows go no further than that one test.
 */
export const SEARCH_CONDITION = `(${FUNCTION}(c.text, ?) OR (${FUNCTION}(s.sample, ?) AND EXISTS (
  SELECT 1 FROM json_each(s.sample, '$.input') m WHERE ${FUNCTION}(json_extract(m.value, '$.content'), ?))))`;

/**
 * The parameters of SEARCH_CONDITION. JSON writes quotes, backslashes and control characters escaped, so a needle
 * with one of them is not looked for in the JSON (the empty needle passes every row).
 */
export function searchParams(needle: string): string[] {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the characters JSON escapes
  const escaped = /["\\\u0000-\u001f]/.test(needle);
  return [needle, escaped ? "" : needle, needle];
}
