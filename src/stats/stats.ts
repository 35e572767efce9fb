// Small, dependency-free statistics for evaluation reports (no imports: the bottom layer).
//
// Compliance rates from a few hundred samples are noisy, and two models (or two runs) are
// usually scored on the same prompts. These helpers give the interval estimates and paired
// tests that keep a report honest about that: Wilson intervals for rates, Cohen's kappa for
// judge-vs-human agreement, and McNemar / Newcombe for paired model comparisons.

/** z for a two-sided 95% interval, Φ⁻¹(0.975), exact to double precision. */
const Z_95 = 1.959963984540054;

/**
 * Median of the values; null for an empty list. For an even count it is the mean of the two
 * middle values (the judge's median over N grader samples can therefore be a half score).
 */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  if (values.some(Number.isNaN)) throw new RangeError("median: values must not contain NaN");
  // Copy before sorting so the caller's array is untouched; the comparator avoids the
  // default lexicographic sort ("10" < "9").
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] as number;
  if (sorted.length % 2 === 1) return upper;
  const lower = sorted[mid - 1] as number;
  return (lower + upper) / 2;
}

// Coefficients of Acklam's rational approximations to the inverse normal CDF.
const ACKLAM_A = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1,
  2.506628277459239,
] as const;
const ACKLAM_B = [
  -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1,
] as const;
const ACKLAM_C = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
] as const;
const ACKLAM_D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416] as const;
const ACKLAM_P_LOW = 0.02425;

/**
 * Standard normal quantile Φ⁻¹(p) by Peter Acklam's algorithm (relative error < 1.15e-9 over
 * the whole range, which is far below anything a reported interval can show).
 * Returns ±Infinity at p = 0 / 1; throws for p outside [0, 1].
 */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`normalQuantile: p must be in [0, 1], got ${p}`);
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  const [a0, a1, a2, a3, a4, a5] = ACKLAM_A;
  const [b0, b1, b2, b3, b4] = ACKLAM_B;
  const [c0, c1, c2, c3, c4, c5] = ACKLAM_C;
  const [d0, d1, d2, d3] = ACKLAM_D;
  if (p < ACKLAM_P_LOW) {
    // Lower tail: approximate in q = sqrt(-2 ln p), where the quantile is nearly linear.
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) /
      ((((d0 * q + d1) * q + d2) * q + d3) * q + 1)
    );
  }
  if (p > 1 - ACKLAM_P_LOW) {
    // Upper tail by symmetry; 1 - p is computed directly so precision is kept near 1.
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -(
      (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) /
      ((((d0 * q + d1) * q + d2) * q + d3) * q + 1)
    );
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) /
    (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1)
  );
}

/** Two-sided critical value for a confidence level; the common 95% case uses the exact constant. */
function zFor(confidence: number): number {
  if (!(confidence > 0 && confidence < 1)) {
    throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  }
  return confidence === 0.95 ? Z_95 : normalQuantile(1 - (1 - confidence) / 2);
}

/**
 * Wilson score interval for a binomial proportion; null when n = 0.
 * Why Wilson: unlike the Wald interval it stays inside [0, 1] and keeps near-nominal coverage
 * for small n and for rates near 0% or 100%, which is exactly where compliance rates live.
 *
 * @example
 * wilsonInterval(72, 100); // [0.625…, 0.798…]
 */
export function wilsonInterval(successes: number, n: number, confidence = 0.95): [number, number] | null {
  if (!(Number.isFinite(n) && n >= 0)) throw new RangeError(`wilsonInterval: invalid n ${n}`);
  if (!(successes >= 0 && successes <= n)) {
    throw new RangeError(`wilsonInterval: successes must be in [0, n], got ${successes} of ${n}`);
  }
  const z = zFor(confidence);
  if (n === 0) return null;
  const p = successes / n;
  const z2n = (z * z) / n;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  // At 0 or n successes the bound is exactly 0 or 1; pin it so rounding cannot leave 1e-17 gaps.
  const lo = successes === 0 ? 0 : Math.max(0, centre - half);
  const hi = successes === n ? 1 : Math.min(1, centre + half);
  return [lo, hi];
}

export interface ConfusionMatrix {
  /** expected true, actual true */
  tp: number;
  /** expected false, actual true */
  fp: number;
  /** expected false, actual false */
  tn: number;
  /** expected true, actual false */
  fn: number;
}

export interface KappaResult {
  /** Cohen's kappa; null when undefined (no pairs, or chance agreement is 1). */
  kappa: number | null;
  /** Raw agreement (tp + tn) / n; null when there are no pairs. */
  accuracy: number | null;
  confusion: ConfusionMatrix;
}

/**
 * Cohen's kappa between expected labels (e.g. human) and actual labels (e.g. the judge).
 * Why kappa and not just accuracy: when most samples are compliant, a judge that always says
 * "compliant" scores high accuracy; kappa discounts the agreement expected by chance.
 *
 * @example
 * const { kappa, accuracy } = cohensKappa([{ expected: true, actual: true }, { expected: false, actual: true }]);
 */
export function cohensKappa(pairs: readonly { expected: boolean; actual: boolean }[]): KappaResult {
  const confusion: ConfusionMatrix = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (const { expected, actual } of pairs) {
    if (expected && actual) confusion.tp++;
    else if (!expected && actual) confusion.fp++;
    else if (!expected && !actual) confusion.tn++;
    else confusion.fn++;
  }
  const { tp, fp, tn, fn } = confusion;
  const n = pairs.length;
  if (n === 0) return { kappa: null, accuracy: null, confusion };
  // Work with counts scaled by n² so "chance agreement is exactly 1" is an integer comparison,
  // not a floating-point one.
  const observed = n * (tp + tn);
  const chance = (tp + fn) * (tp + fp) + (tn + fp) * (tn + fn);
  const kappa = chance === n * n ? null : (observed - chance) / (n * n - chance);
  return { kappa, accuracy: (tp + tn) / n, confusion };
}

/** ln(k!) for small k, summed exactly once. */
const LOG_FACTORIAL_TABLE: number[] = (() => {
  const table = [0];
  for (let k = 1; k < 256; k++) table.push((table[k - 1] as number) + Math.log(k));
  return table;
})();

/** ln(m!) for a non-negative integer m: a table below 256, Stirling's series above. */
function logFactorial(m: number): number {
  const cached = LOG_FACTORIAL_TABLE[m];
  if (cached !== undefined) return cached;
  // Truncation error of this series is below 1/(1680 m^7), i.e. negligible for m ≥ 256.
  const inv = 1 / m;
  const inv2 = inv * inv;
  return (
    m * Math.log(m) - m + 0.5 * Math.log(2 * Math.PI * m) + inv * (1 / 12 - inv2 * (1 / 360 - inv2 / 1260))
  );
}

/**
 * Two-sided exact McNemar test: p-value of the discordant counts under Binomial(b + c, 1/2),
 * b = pass→fail, c = fail→pass. Returns 1 when there are no discordant pairs.
 * Why exact: the chi-square version is poor for the small discordant counts typical of
 * comparing two similar models on a few hundred prompts.
 *
 * @example
 * mcnemarExact(3, 12); // 0.035…: B passes 12 prompts A fails, A passes 3 that B fails
 */
export function mcnemarExact(b: number, c: number): number {
  if (!(Number.isInteger(b) && Number.isInteger(c) && b >= 0 && c >= 0)) {
    throw new RangeError(`mcnemarExact: b and c must be non-negative integers, got ${b}, ${c}`);
  }
  const n = b + c;
  if (n === 0) return 1;
  const k = Math.min(b, c);
  // The distribution is symmetric, so two-sided p = 2 · P(X ≤ k), capped at 1.
  // P(X ≤ k) = pmf(k) · Σ_{i ≤ k} pmf(i)/pmf(k). pmf(k) is taken in log space (2^-n underflows
  // long before n = 100 000), and the ratios are ≤ 1 because k ≤ n/2, so the sum cannot overflow.
  const logPmfK = logFactorial(n) - logFactorial(k) - logFactorial(n - k) - n * Math.LN2;
  let term = 1;
  let sum = 1;
  for (let i = k; i > 0; i--) {
    term *= i / (n - i + 1); // pmf(i - 1) / pmf(i)
    sum += term;
    if (term < sum * 1e-17) break; // remaining terms shrink geometrically: nothing left to add
  }
  return Math.min(1, 2 * Math.exp(logPmfK + Math.log(sum)));
}

export interface PairedDifference {
  /** Number of pairs. */
  n: number;
  /** Success rate under A; null when n = 0. */
  rateA: number | null;
  /** Success rate under B; null when n = 0. */
  rateB: number | null;
  /** rateB − rateA; null when n = 0. */
  diff: number | null;
  /** Discordant pairs that pass under A and fail under B. */
  b: number;
  /** Discordant pairs that fail under A and pass under B. */
  c: number;
  /** Exact McNemar two-sided p-value. */
  pValue: number;
  /** 95% CI for diff (Newcombe's method 10); null when n = 0. */
  ci95: [number, number] | null;
}

/**
 * Compare two conditions (models, prompts, judge settings) scored on the same items.
 * Why paired: the same prompts are hard for both models, so treating the rates as independent
 * would overstate the uncertainty of their difference.
 *
 * The CI is Newcombe's (1998) method 10: square-and-add of the Wilson intervals of both rates,
 * with the correlation term φ continuity-corrected as in Newcombe's worked examples (Altman et
 * al., "Statistics with Confidence"; Fagerland, Lydersen & Laake, ch. 8): φ uses
 * (n11·n00 − n10·n01) − n/2 when that product difference exceeds n/2, 0 when it is in [0, n/2],
 * and the raw value when negative. It stays inside [−1, 1] and behaves at 0% / 100% rates,
 * where the Wald interval collapses.
 *
 * @example
 * const d = pairedDifference([{ a: true, b: true }, { a: false, b: true }, { a: true, b: false }]);
 * console.log(d.diff, d.ci95, d.pValue);
 */
export function pairedDifference(pairs: readonly { a: boolean; b: boolean }[]): PairedDifference {
  let both = 0; // pass, pass
  let b = 0; // pass under A, fail under B
  let c = 0; // fail under A, pass under B
  let neither = 0; // fail, fail
  for (const pair of pairs) {
    if (pair.a && pair.b) both++;
    else if (pair.a) b++;
    else if (pair.b) c++;
    else neither++;
  }
  const n = pairs.length;
  const pValue = mcnemarExact(b, c);
  if (n === 0) return { n, rateA: null, rateB: null, diff: null, b, c, pValue, ci95: null };

  const passA = both + b;
  const passB = both + c;
  const rateA = passA / n;
  const rateB = passB / n;
  const diff = (c - b) / n;
  const [lA, uA] = wilsonInterval(passA, n) as [number, number];
  const [lB, uB] = wilsonInterval(passB, n) as [number, number];

  // φ: correlation between the two outcomes; 0 when a margin is empty (it is undefined there).
  let phi = 0;
  const marginProduct = passA * (n - passA) * passB * (n - passB);
  if (marginProduct > 0) {
    const cross = both * neither - b * c;
    // Continuity correction: a positive cross-product shrinks by n/2 (not below 0); negatives stay.
    const corrected = cross > 0 ? Math.max(0, cross - n / 2) : cross;
    phi = corrected / Math.sqrt(marginProduct);
  }
  // diff = rateB − rateA: its lower limit combines B's lower and A's upper distances, and vice versa.
  const dLower = Math.sqrt((rateB - lB) ** 2 - 2 * phi * (rateB - lB) * (uA - rateA) + (uA - rateA) ** 2);
  const dUpper = Math.sqrt((uB - rateB) ** 2 - 2 * phi * (uB - rateB) * (rateA - lA) + (rateA - lA) ** 2);
  const ci95: [number, number] = [Math.max(-1, diff - dLower), Math.min(1, diff + dUpper)];
  return { n, rateA, rateB, diff, b, c, pValue, ci95 };
}
