import type { WordDiffPart } from "../spec/index.js";

/** Changes close together with a few unchanged words around them; `cutBefore`/`cutAfter`: text left out there. */
interface WordDiffHunk {
  parts: WordDiffPart[];
  cutBefore: boolean;
  cutAfter: boolean;
}

/** The first (or last) `n` words of a text, with the whitespace between them. */
function someWords(text: string, n: number, from: "start" | "end"): string {
  const tokens = text.split(/(\s+)/);
  if (from === "end") tokens.reverse();
  let kept = "";
  let count = 0;
  for (const token of tokens) {
    if (/\S/.test(token)) {
      if (count === n) break;
      count++;
    }
    kept = from === "end" ? token + kept : kept + token;
  }
  return kept;
}

const wordCount = (text: string) => text.split(/\s+/).filter(Boolean).length;

/**
 * A word diff as hunks, as a reader wants it: each run of changes with `context` unchanged words either side;
 * changes fewer than twice that apart share a hunk. No changes: no hunks.
 *
 * @example
 * wordDiffHunks([{ op: "same", text: "a b c" }, { op: "add", text: "d " }], 1); // one hunk: "c", +"d "
 */
export function wordDiffHunks(parts: readonly WordDiffPart[], context = 8): WordDiffHunk[] {
  const hunks: WordDiffHunk[] = [];
  let current: WordDiffHunk | null = null;
  parts.forEach((part, i) => {
    const last = i === parts.length - 1;
    if (part.op !== "same") {
      current ??= { parts: [], cutBefore: false, cutAfter: false };
      current.parts.push(part);
      return;
    }
    if (current && (last || wordCount(part.text) > 2 * context)) {
      const tail = someWords(part.text, context, "start");
      current.parts.push({ op: "same", text: tail });
      current.cutAfter = tail.length < part.text.length;
      hunks.push(current);
      current = null;
    } else if (current) {
      current.parts.push(part);
      return;
    }
    if (last) return;
    const lead = someWords(part.text, context, "end");
    current = {
      parts: [{ op: "same", text: lead }],
      cutBefore: lead.length < part.text.length,
      cutAfter: false,
    };
  });
  if (current) hunks.push(current);
  return hunks;
}
