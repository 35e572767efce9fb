import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatRate } from "../../src/report/index.js";

describe("formatRate", () => {
  test("rate with and without an interval", () => {
    assert.equal(formatRate(0.724, [0.681, 0.763]), "72.4% [68.1–76.3]");
    assert.equal(formatRate(0.724), "72.4%");
    assert.equal(formatRate(0.724, null), "72.4%");
    assert.equal(formatRate(1, [0.7224672001371107, 1]), "100.0% [72.2–100.0]");
    assert.equal(formatRate(0, [0, 0.2775327998628892]), "0.0% [0.0–27.8]");
  });

  test("missing rate and negative zero", () => {
    assert.equal(formatRate(null), "—");
    assert.equal(formatRate(null, [0.1, 0.2]), "—");
    assert.equal(formatRate(-0.00001), "0.0%");
  });
});
