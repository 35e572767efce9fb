// Rates and differences measured on prompts answered several times (epochs). The epochs of one prompt are not
// independent samples: a prompt the model fails it tends to fail every time, so counting 20 epochs as 20 samples
// makes an interval about √20 ≈ 4.5 times too narrow. Here each prompt is scored first (the mean of its graded
// epochs) and the uncertainty comes from how those prompt scores vary (a cluster-robust variance).
import { mcnemarExact, normalQuantile, type PairedDifference, wilsonInterval } from "./stats.js";

/** Sufficient statistics of per-prompt scores: how many prompts, the sum of their scores and of their squares. */
export interface PromptScores {
  /** Prompts with at least one graded sample. */
  prompts: number;
  /** Graded samples over all of them (epochs included). */
  samples: number;
  /** Σ mᵢ, where mᵢ is prompt i's score: the fraction of its graded epochs judged compliant. */
  sumScores: number;
  /** Σ mᵢ². */
  sumSquaredScores: number;
}

export interface ClusteredRate {
  /** The mean prompt score (equals compliant/graded when every prompt has the same number of graded epochs). */
  rate: number | null;
  ci95: [number, number] | null;
  /** The number of independent samples the data are worth, between the prompts and the samples. */
  effectiveSamples: number | null;
}

/**
 * A compliance rate over prompts with several epochs each, and its 95% interval: Wilson's interval at the
 * effective sample size n_eff = p(1 − p)/SE², where SE² = Var(mᵢ)/n is the clustered (CR0) variance of the mean
 * prompt score over the n prompts (Kish's design effect; Korn & Graubard 1998 use the same effective size for
 * binomial intervals under clustering). n_eff is kept between the number of prompts (every epoch of a prompt
 * agrees) and the number of samples (epochs as good as independent). So identical answers in every epoch give
 * exactly the one-epoch Wilson interval over prompts, whatever the number of epochs.
 *
 * @example
 * // 4 prompts × 2 epochs; prompt scores 1, ½, 0, 1
 * clusteredRate({ prompts: 4, samples: 8, sumScores: 2.5, sumSquaredScores: 2.25 }); // rate 0.625, n_eff ≈ 5.45
 */
export function clusteredRate(s: PromptScores): ClusteredRate {
  if (s.prompts === 0) return { rate: null, ci95: null, effectiveSamples: null };
  const rate = s.sumScores / s.prompts;
  // Population variance of the prompt scores; rounding can leave a tiny negative value for identical scores.
  const variance = Math.max(0, s.sumSquaredScores / s.prompts - rate * rate);
  const standardError2 = variance / s.prompts;
  const binomial = rate * (1 - rate);
  // All prompts equal: at 0 or 1 every epoch agreed (worth one sample per prompt); in between, the prompts agree
  // with each other, so the spread is within prompts and the epochs count as independent.
  const raw = standardError2 > 0 ? binomial / standardError2 : binomial === 0 ? s.prompts : s.samples;
  const effectiveSamples = Math.min(s.samples, Math.max(s.prompts, raw));
  return { rate, ci95: wilsonInterval(rate * effectiveSamples, effectiveSamples), effectiveSamples };
}

/** One prompt graded in both runs: its score (mean over graded epochs) in each. */
export interface PairedScore {
  a: number;
  b: number;
}

/**
 * The difference B − A of two runs on the prompts both graded, with prompts answered several times: each prompt's
 * score difference dᵢ = bᵢ − aᵢ; the interval is the mean difference ± z·SE with SE² = s²/n (s² the sample variance
 * of the dᵢ, clustered by prompt), and the p-value the exact sign test on the dᵢ (McNemar's test is this sign
 * test when every prompt has one epoch). With one epoch per prompt use `pairedDifference` (Newcombe's interval).
 *
 * @example
 * clusteredPairedDifference([{ a: 1, b: 0.5 }, { a: 0, b: 1 }, { a: 0.5, b: 1 }]).diff; // 0.333…
 */
export function clusteredPairedDifference(pairs: readonly PairedScore[]): PairedDifference {
  const n = pairs.length;
  const below = pairs.filter((p) => p.b < p.a).length;
  const above = pairs.filter((p) => p.b > p.a).length;
  const pValue = mcnemarExact(below, above);
  if (n === 0) return { n, rateA: null, rateB: null, diff: null, b: below, c: above, pValue, ci95: null };
  const mean = (values: number[]) => values.reduce((sum, x) => sum + x, 0) / values.length;
  const rateA = mean(pairs.map((p) => p.a));
  const rateB = mean(pairs.map((p) => p.b));
  const diffs = pairs.map((p) => p.b - p.a);
  const diff = mean(diffs);
  if (n === 1) return { n, rateA, rateB, diff, b: below, c: above, pValue, ci95: [-1, 1] };
  const variance = diffs.reduce((sum, d) => sum + (d - diff) ** 2, 0) / (n - 1);
  const half = normalQuantile(0.975) * Math.sqrt(variance / n);
  const ci95: [number, number] = [Math.max(-1, diff - half), Math.min(1, diff + half)];
  return { n, rateA, rateB, diff, b: below, c: above, pValue, ci95 };
}
