// Intervals for prompts answered several times. Reference values were computed independently (a few lines of
// Python with the standard Wilson formula and the sample variance), not with this code.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { clusteredPairedDifference, clusteredRate, wilsonInterval } from "../../src/stats/index.js";

const close = (actual: number | null | undefined, expected: number, tolerance = 1e-9) =>
  assert.ok(
    typeof actual === "number" && Math.abs(actual - expected) <= tolerance,
    `expected ${expected}, got ${actual}`,
  );

/** Sufficient statistics of per-prompt scores, each prompt answered `epochs` times. */
function scores(prompts: number[], epochs: number) {
  return {
    prompts: prompts.length,
    samples: prompts.length * epochs,
    sumScores: prompts.reduce((s, m) => s + m, 0),
    sumSquaredScores: prompts.reduce((s, m) => s + m * m, 0),
  };
}

describe("clusteredRate", () => {
  test("reference: 4 prompts × 2 epochs scoring 1, ½, 0, 1", () => {
    const r = clusteredRate(scores([1, 0.5, 0, 1], 2));
    close(r.rate, 0.625, 1e-15);
    close(r.effectiveSamples, 5.454545454545454, 1e-12);
    assert.ok(r.ci95);
    close(r.ci95[0], 0.257876154259858);
    close(r.ci95[1], 0.8888144370158457);
  });

  test("identical answers in every epoch: the one-epoch Wilson interval over prompts, at 1, 5 or 20 epochs", () => {
    const once = wilsonInterval(7, 10);
    assert.ok(once);
    for (const epochs of [1, 5, 20]) {
      const r = clusteredRate(scores([1, 1, 1, 1, 1, 1, 1, 0, 0, 0], epochs));
      assert.deepEqual(
        r.ci95?.map((x) => Math.round(x * 1e12)),
        once.map((x) => Math.round(x * 1e12)),
        `${epochs} epochs`,
      );
      close(r.effectiveSamples, 10, 1e-12);
    }
    // Counting 20 epochs as independent samples would make the interval ~4.4x narrower (100 prompts, 72%).
    const naive = wilsonInterval(72 * 20, 100 * 20) as [number, number];
    const honest = clusteredRate(scores([...Array(72).fill(1), ...Array(28).fill(0)], 20)).ci95 as [
      number,
      number,
    ];
    close((honest[1] - honest[0]) / (naive[1] - naive[0]), 4.411298267295013, 1e-9);
  });

  test("prompts that agree with each other: the epochs count as independent samples, at most", () => {
    const r = clusteredRate(scores([0.5, 0.5, 0.5, 0.5], 4));
    close(r.effectiveSamples, 16, 0);
    assert.deepEqual(r.ci95, wilsonInterval(8, 16));
  });

  test("no graded prompt: no rate, no interval", () => {
    assert.deepEqual(clusteredRate(scores([], 3)), { rate: null, ci95: null, effectiveSamples: null });
  });
});

describe("clusteredPairedDifference", () => {
  test("reference: five prompts, mean difference 0.3 with a sample-variance normal interval", () => {
    const r = clusteredPairedDifference([
      { a: 1, b: 0.5 },
      { a: 0, b: 1 },
      { a: 0.5, b: 1 },
      { a: 1, b: 1 },
      { a: 0, b: 0.5 },
    ]);
    assert.equal(r.n, 5);
    close(r.diff, 0.3, 1e-15);
    close(r.rateA, 0.5, 1e-15);
    close(r.rateB, 0.8, 1e-15);
    assert.equal(r.b, 1);
    assert.equal(r.c, 3);
    close(r.pValue, 0.625, 1e-15); // sign test: 2 · P(X ≤ 1), X ~ Binomial(4, ½)
    assert.ok(r.ci95);
    close(r.ci95[0], -0.1996947301554402, 1e-8);
    close(r.ci95[1], 0.7996947301554402, 1e-8);
  });

  test("no pairs, one pair", () => {
    assert.equal(clusteredPairedDifference([]).ci95, null);
    assert.deepEqual(clusteredPairedDifference([{ a: 0, b: 1 }]).ci95, [-1, 1]);
  });
});
