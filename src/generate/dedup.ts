/**
 * Near-duplicate detection for generated prompts: the Jaccard similarity of normalised word shingles (overlapping
 * runs of SHINGLE_WORDS words). Exact Jaccard, compared against every kept prompt and the spec's own prompts: a
 * generation holds hundreds of prompts, not millions, so MinHash's approximation would buy nothing.
 */

/** Words per shingle: 3-word runs catch a reworded sentence that keeps most of its phrases. */
const SHINGLE_WORDS = 3;

/**
 * The words of a text as compared: compatibility forms folded (NFKC), lower case, every run of characters that is
 * not a letter or a digit a word break. So punctuation, case and spacing never make two prompts differ.
 */
function words(text: string): string[] {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== "");
}

/** The set of word shingles of a text; a text shorter than a shingle is one shingle of all its words. */
function shingles(text: string): Set<string> {
  const w = words(text);
  if (w.length <= SHINGLE_WORDS) return new Set([w.join(" ")]);
  const out = new Set<string>();
  for (let i = 0; i + SHINGLE_WORDS <= w.length; i++) out.add(w.slice(i, i + SHINGLE_WORDS).join(" "));
  return out;
}

/** |A ∩ B| / |A ∪ B|; 1 for two empty sets. */
function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let shared = 0;
  for (const s of small) if (large.has(s)) shared++;
  return shared / (a.size + b.size - shared);
}

/** The texts seen so far, by id; `nearest` finds the most similar one at or above the threshold. */
export class NearDuplicates {
  private readonly seen: { id: string; shingles: Set<string> }[] = [];

  constructor(private readonly threshold: number) {}

  add(id: string, text: string): void {
    this.seen.push({ id, shingles: shingles(text) });
  }

  /** Forgets a text (a prompt the validator rejected no longer stands in the way of others). */
  remove(id: string): void {
    const at = this.seen.findIndex((s) => s.id === id);
    if (at !== -1) this.seen.splice(at, 1);
  }

  /** The id of the most similar text seen, and its similarity, when it is at or above the threshold. */
  nearest(text: string): { id: string; similarity: number } | null {
    const mine = shingles(text);
    let best: { id: string; similarity: number } | null = null;
    for (const other of this.seen) {
      const similarity = jaccard(mine, other.shingles);
      if (similarity >= this.threshold && (best === null || similarity > best.similarity)) {
        best = { id: other.id, similarity };
      }
    }
    return best;
  }
}
