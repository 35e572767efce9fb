import { normalizeAuthority } from "../conversation/index.js";
import type { SpecModel } from "../spec/index.js";
import type { Sample } from "./sample.js";

export interface SampleFilter {
  sections?: string[];
  topLevel?: string[];
  /** Authority level (root also matches sections written `platform`). */
  authority?: string[];
  tags?: string[];
  /** Keep at most this many, after filtering (and shuffling when a seed is given). */
  limit?: number;
  /** Seed for a reproducible random subset; without it the first `limit` samples in spec order are kept. */
  seed?: number;
}

/**
 * The samples that pass the filters (section, top-level section, authority, tag), then a seeded random subset
 * or the first `limit` in dataset order. `eval`'s `--section/--top/--authority/--tag/--limit/--seed`.
 *
 * @example
 * const subset = selectSamples(evalPromptSamples(spec), { authority: ["root"], limit: 20, seed: 1 }, spec);
 */
export function selectSamples(samples: Sample[], filter: SampleFilter, model: SpecModel | null): Sample[] {
  const tagged = new Set(
    filter.tags?.length && model
      ? model.sections.filter((s) => s.tags.some((t) => filter.tags?.includes(t))).map((s) => s.id)
      : [],
  );
  let kept = samples.filter(
    (s) =>
      (!filter.sections?.length || (s.sectionId !== null && filter.sections.includes(s.sectionId))) &&
      (!filter.topLevel?.length ||
        (s.topLevelSectionId !== null && filter.topLevel.includes(s.topLevelSectionId))) &&
      (!filter.authority?.length ||
        (s.authority !== null && filter.authority.includes(normalizeAuthority(s.authority)))) &&
      (!filter.tags?.length || (s.sectionId !== null && tagged.has(s.sectionId))),
  );
  if (filter.seed !== undefined) kept = seededShuffle(kept, filter.seed);
  if (filter.limit !== undefined) kept = kept.slice(0, filter.limit);
  return kept;
}

/** Fisher–Yates with a small deterministic PRNG (mulberry32): the same seed gives the same subset everywhere. */
function seededShuffle<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
