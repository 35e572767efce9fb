import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  cohensKappa,
  mcnemarExact,
  median,
  normalQuantile,
  pairedDifference,
  wilsonInterval,
} from "../../src/stats/index.js";

// Reference values below were computed independently: Python's statistics.NormalDist (AS241),
// scipy.stats.binomtest, mpmath at 50 digits for large McNemar tables, the Wikipedia Cohen's
// kappa examples, and published Newcombe (1998) / Fagerland et al. (2017, ch. 8) intervals.

function close(actual: number | null | undefined, expected: number, tolerance: number, label = ""): void {
  assert.ok(
    typeof actual === "number" && Math.abs(actual - expected) <= tolerance,
    `${label} expected ${expected} ± ${tolerance}, got ${actual}`,
  );
}

function relClose(actual: number, expected: number, relTolerance: number, label = ""): void {
  assert.ok(
    Math.abs(actual - expected) <= relTolerance * Math.abs(expected),
    `${label} expected ${expected} (rel ± ${relTolerance}), got ${actual}`,
  );
}

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

function labelPairs(tp: number, fp: number, tn: number, fn: number) {
  return [
    ...Array.from({ length: tp }, () => ({ expected: true, actual: true })),
    ...Array.from({ length: fp }, () => ({ expected: false, actual: true })),
    ...Array.from({ length: tn }, () => ({ expected: false, actual: false })),
    ...Array.from({ length: fn }, () => ({ expected: true, actual: false })),
  ];
}

/** both = pass/pass, b = pass under A only, c = pass under B only, neither = fail/fail. */
function outcomePairs(both: number, b: number, c: number, neither: number) {
  return [
    ...Array.from({ length: both }, () => ({ a: true, b: true })),
    ...Array.from({ length: b }, () => ({ a: true, b: false })),
    ...Array.from({ length: c }, () => ({ a: false, b: true })),
    ...Array.from({ length: neither }, () => ({ a: false, b: false })),
  ];
}

describe("median", () => {
  test("empty list has no median", () => {
    assert.equal(median([]), null);
  });

  test("odd and even counts", () => {
    assert.equal(median([4]), 4);
    assert.equal(median([5, 1, 3]), 3);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([6, 6, 7, 1]), 6);
    assert.equal(median([-1, -3]), -2);
  });

  test("sorts numerically, not lexicographically, and leaves the input alone", () => {
    const values = [10, 9, 2];
    assert.equal(median(values), 9);
    assert.deepEqual(values, [10, 9, 2]);
    assert.equal(median([10, 9]), 9.5);
  });

  test("rejects NaN", () => {
    assert.throws(() => median([1, Number.NaN, 3]), RangeError);
  });
});

describe("normalQuantile", () => {
  test("matches reference quantiles across the body and both tails", () => {
    const reference: [number, number][] = [
      [0.975, 1.9599639845400536],
      [0.995, 2.5758293035489],
      [0.9, 1.2815515655446008],
      [0.8, 0.8416212335729144],
      [0.3, -0.5244005127080407],
      [0.02425, -1.9729610513118845],
      [0.001, -3.090232306167813],
      [1e-10, -6.361340902404056],
      [1 - 1e-10, 6.361340889697421],
    ];
    // Acklam's algorithm: relative error below 1.15e-9.
    for (const [p, z] of reference) relClose(normalQuantile(p), z, 1.2e-9, `Φ⁻¹(${p})`);
    close(normalQuantile(0.975), 1.959964, 5e-7);
    close(normalQuantile(0.995), 2.575829, 5e-7);
  });

  test("centre, symmetry and bounds", () => {
    assert.equal(normalQuantile(0.5), 0);
    for (const p of [0.01, 0.1, 0.25, 0.4]) close(normalQuantile(p), -normalQuantile(1 - p), 1e-9);
    assert.equal(normalQuantile(0), Number.NEGATIVE_INFINITY);
    assert.equal(normalQuantile(1), Number.POSITIVE_INFINITY);
    assert.throws(() => normalQuantile(-0.1), RangeError);
    assert.throws(() => normalQuantile(1.5), RangeError);
    assert.throws(() => normalQuantile(Number.NaN), RangeError);
  });
});

describe("wilsonInterval", () => {
  test("8/10 at 95% is [0.4902, 0.9433]", () => {
    const ci = wilsonInterval(8, 10);
    assert.ok(ci);
    assert.deepEqual(ci.map(round4), [0.4902, 0.9433]);
    close(ci[0], 0.4901624715366418, 1e-12);
    close(ci[1], 0.9433178485456248, 1e-12);
  });

  test("other confidence levels use the normal quantile", () => {
    const ci99 = wilsonInterval(8, 10, 0.99);
    const ci90 = wilsonInterval(8, 10, 0.9);
    assert.ok(ci99 && ci90);
    close(ci99[0], 0.4008186965216717, 1e-8);
    close(ci99[1], 0.9598688474953835, 1e-8);
    close(ci90[0], 0.5407928056874881, 1e-8);
    close(ci90[1], 0.9314420122624679, 1e-8);
  });

  test("no successes and all successes pin the bound to exactly 0 or 1", () => {
    const none = wilsonInterval(0, 10);
    const all = wilsonInterval(10, 10);
    assert.ok(none && all);
    assert.equal(none[0], 0);
    close(none[1], 0.2775327998628892, 1e-12);
    close(all[0], 0.7224672001371107, 1e-12);
    assert.equal(all[1], 1);
    assert.deepEqual(wilsonInterval(1, 1)?.map(round4), [0.2065, 1]);
  });

  test("n = 0 gives null; invalid input throws", () => {
    assert.equal(wilsonInterval(0, 0), null);
    assert.throws(() => wilsonInterval(11, 10), RangeError);
    assert.throws(() => wilsonInterval(-1, 10), RangeError);
    assert.throws(() => wilsonInterval(5, 10, 1), RangeError);
    assert.throws(() => wilsonInterval(5, 10, 0), RangeError);
  });
});

describe("cohensKappa", () => {
  test("textbook tables (Wikipedia, Cohen's kappa examples)", () => {
    // Rater A yes/B yes 20, A yes/B no 5, A no/B yes 10, both no 15: p_o = 0.7, p_e = 0.5.
    const r = cohensKappa(labelPairs(20, 10, 15, 5));
    close(r.kappa, 0.4, 1e-12);
    close(r.accuracy, 0.7, 1e-12);
    assert.deepEqual(r.confusion, { tp: 20, fp: 10, tn: 15, fn: 5 });
    // Same 60% agreement, different marginals → different kappa.
    close(cohensKappa(labelPairs(45, 25, 15, 15)).kappa, 0.13043478260869565, 1e-12);
    close(cohensKappa(labelPairs(25, 5, 35, 35)).kappa, 0.25925925925925924, 1e-12);
  });

  test("perfect agreement, perfect disagreement and a constant judge", () => {
    assert.equal(cohensKappa(labelPairs(7, 0, 3, 0)).kappa, 1);
    assert.equal(cohensKappa(labelPairs(0, 5, 0, 5)).kappa, -1);
    // Judge always says true while the labels are always false: no better than chance.
    const constant = cohensKappa(labelPairs(0, 8, 0, 0));
    assert.equal(constant.kappa, 0);
    assert.equal(constant.accuracy, 0);
  });

  test("kappa is undefined without pairs or when chance agreement is 1", () => {
    assert.deepEqual(cohensKappa([]), {
      kappa: null,
      accuracy: null,
      confusion: { tp: 0, fp: 0, tn: 0, fn: 0 },
    });
    const allTrue = cohensKappa(labelPairs(12, 0, 0, 0));
    assert.equal(allTrue.kappa, null);
    assert.equal(allTrue.accuracy, 1);
    assert.equal(cohensKappa(labelPairs(0, 0, 4, 0)).kappa, null);
  });
});

describe("mcnemarExact", () => {
  test("small tables match the exact binomial test", () => {
    close(mcnemarExact(1, 9), 0.021484375, 1e-15);
    close(mcnemarExact(1, 9), 0.02148, 5e-6);
    close(mcnemarExact(0, 10), 0.001953125, 1e-15);
    close(mcnemarExact(3, 7), 0.34375, 1e-14);
    close(mcnemarExact(6, 16), 0.052478790283203125, 1e-14);
    relClose(mcnemarExact(10, 40), 2.3861331676755526e-5, 1e-12);
  });

  test("symmetric in b and c; balanced or empty tables give 1", () => {
    assert.equal(mcnemarExact(7, 1), mcnemarExact(1, 7));
    close(mcnemarExact(7, 1), 0.0703125, 1e-15);
    assert.equal(mcnemarExact(5, 5), 1);
    assert.equal(mcnemarExact(0, 0), 1);
    assert.equal(mcnemarExact(0, 1), 1);
  });

  test("b + c = 100 000 is fast, finite and accurate", () => {
    const start = performance.now();
    const cases: [number, number, number][] = [
      [49800, 50200, 0.20703897176422484],
      [49900, 50100, 0.5291572940801931],
      [49000, 51000, 2.588716038346898e-10],
      [45000, 55000, 8.600341645714696e-220],
    ];
    for (const [b, c, expected] of cases) {
      const p = mcnemarExact(b, c);
      assert.ok(p >= 0 && p <= 1, `p in [0, 1] for ${b}, ${c}`);
      relClose(p, expected, 1e-8, `McNemar(${b}, ${c})`);
    }
    assert.equal(mcnemarExact(50000, 50000), 1);
    // The true value, 5.5e-30060, is below the smallest double.
    assert.equal(mcnemarExact(10, 99990), 0);
    assert.equal(mcnemarExact(0, 100000), 0);
    assert.ok(performance.now() - start < 500, "took too long");
  });

  test("rejects non-integer or negative counts", () => {
    assert.throws(() => mcnemarExact(-1, 3), RangeError);
    assert.throws(() => mcnemarExact(1.5, 3), RangeError);
    assert.throws(() => mcnemarExact(1, Number.NaN), RangeError);
  });
});

describe("pairedDifference", () => {
  test("Fagerland et al. ch. 8 (Cavo 2012): Newcombe interval 0.0046 to 0.1186", () => {
    // Rows are A: 59 pass/pass, 6 pass→fail, 16 fail→pass, 80 fail/fail. The book reports
    // A − B = −0.0621 (−0.1186 to −0.0046); diff here is B − A, so the interval is mirrored.
    const r = pairedDifference(outcomePairs(59, 6, 16, 80));
    assert.equal(r.n, 161);
    assert.equal(r.b, 6);
    assert.equal(r.c, 16);
    close(r.rateA, 65 / 161, 1e-15);
    close(r.rateB, 75 / 161, 1e-15);
    close(r.diff, 10 / 161, 1e-15);
    close(r.pValue, 0.052478790283203125, 1e-14);
    assert.ok(r.ci95);
    assert.deepEqual(r.ci95.map(round4), [0.0046, 0.1186]);
    close(r.ci95[0], 0.004625113933050047, 1e-12);
    close(r.ci95[1], 0.11862119563870992, 1e-12);
  });

  test("Newcombe (1998) example: 36 / 12 / 2 / 0 gives 0.0569 to 0.3404", () => {
    const r = pairedDifference(outcomePairs(36, 2, 12, 0));
    close(r.diff, 0.2, 1e-12);
    close(r.pValue, 0.012939453125, 1e-14);
    assert.deepEqual(r.ci95?.map(round4), [0.0569, 0.3404]);
  });

  test("swapping A and B mirrors the result; pair order does not matter", () => {
    const forward = pairedDifference(outcomePairs(1, 7, 1, 12));
    const backward = pairedDifference(outcomePairs(1, 1, 7, 12));
    assert.ok(forward.ci95 && backward.ci95);
    close(forward.diff, -(backward.diff as number), 1e-15);
    close(forward.ci95[0], -backward.ci95[1], 1e-12);
    close(forward.ci95[1], -backward.ci95[0], 1e-12);
    close(forward.ci95[0], -0.506920226686141, 1e-12);
    close(forward.ci95[1], -0.02555912416485978, 1e-12);
    const shuffled = outcomePairs(1, 7, 1, 12).reverse();
    assert.deepEqual(pairedDifference(shuffled), forward);
  });

  test("identical outcomes: zero difference, p = 1, interval around 0", () => {
    const r = pairedDifference(outcomePairs(10, 0, 0, 0));
    assert.equal(r.diff, 0);
    assert.equal(r.pValue, 1);
    assert.ok(r.ci95);
    close(r.ci95[0], -0.2775327998628892, 1e-12);
    close(r.ci95[1], 0.2775327998628892, 1e-12);
  });

  test("the interval stays inside [-1, 1] at the extremes", () => {
    const r = pairedDifference(outcomePairs(0, 0, 5, 0));
    assert.equal(r.diff, 1);
    assert.ok(r.ci95);
    assert.ok(r.ci95[0] > 0 && r.ci95[1] === 1, `got ${r.ci95}`);
  });

  test("no pairs", () => {
    assert.deepEqual(pairedDifference([]), {
      n: 0,
      rateA: null,
      rateB: null,
      diff: null,
      b: 0,
      c: 0,
      pValue: 1,
      ci95: null,
    });
  });
});
