// Parse-time benchmark of the spec compiler (target: under 50 ms warm for the 2025-12-18 release).
// Run: npm run bench:parse [-- <spec dir>]   (default ../shared/model-spec/2025-12-18)
// Prints cold time, then min / median / p95 of warm iterations, and exits 1 when the median misses the target.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { compileSpec } from "../src/spec/index.js";

const dir = process.argv[2] ?? join(import.meta.dirname, "..", "..", "shared", "model-spec", "2025-12-18");
const TARGET_MS = 50;
const ITERATIONS = 40;

// Files are read once: the benchmark measures parsing, not the disk.
const files = {
  spec: readFileSync(join(dir, "model_spec.md"), "utf8"),
  examples: Object.fromEntries(
    readdirSync(join(dir, "examples")).map((name) => [
      name,
      readFileSync(join(dir, "examples", name), "utf8"),
    ]),
  ),
  specPath: join(dir, "model_spec.md"),
  examplesDir: join(dir, "examples"),
};

const time = () => {
  const start = performance.now();
  const { model } = compileSpec(files);
  return { ms: performance.now() - start, sections: model.sections.length, examples: model.examples.length };
};

const cold = time();
const warm = Array.from({ length: ITERATIONS }, () => time().ms).sort((a, b) => a - b);
const at = (q: number) => warm[Math.min(warm.length - 1, Math.floor(q * warm.length))] ?? Number.NaN;
const median = at(0.5);
console.log(
  JSON.stringify({
    spec: dir,
    sections: cold.sections,
    examples: cold.examples,
    coldMs: +cold.ms.toFixed(1),
    warmMinMs: +at(0).toFixed(1),
    warmMedianMs: +median.toFixed(1),
    warmP95Ms: +at(0.95).toFixed(1),
    targetMs: TARGET_MS,
    pass: median < TARGET_MS,
  }),
);
process.exitCode = median < TARGET_MS ? 0 : 1;
