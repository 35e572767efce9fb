// Paging benchmark of the viewer's sample table (target: every page under 250 ms at 100 000 samples; a sorted or
// searched page, which reads all of the run's rows, under 2 s).
// Run: node --import tsx bench/viewer-paging.bench.ts [samples]   (default 100000; writes a temp DB of ~300 MB)
// Writes a synthetic results database (prompt-sized samples), then times each kind of page — first, deep,
// back, filtered by a rare section, by verdict, across runs — through the query layer and over HTTP, and
// prints the first (cold) time and min / median / p95 of the warm ones. Exits 1 when a median misses the target.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ResultStore } from "../src/store/index.js";
import { startViewer } from "../src/viewer/index.js";
import { writeSyntheticDb } from "../test/viewer/synthetic-db.js";

const SAMPLES = Number(process.argv[2] ?? 100_000);
const TARGET_MS = 250;
const SCAN_TARGET_MS = 2000;
const ITERATIONS = 20;
const SCAN_ITERATIONS = 5;

const work = mkdtempSync(join(tmpdir(), "modelspec-paging-bench-"));
const db = join(work, "results.db");
let failed = false;

async function measure(
  label: string,
  run: () => unknown | Promise<unknown>,
  { target = TARGET_MS, iterations = ITERATIONS } = {},
): Promise<void> {
  const first = performance.now();
  await run(); // warms the page cache (and the viewer's summary cache)
  const cold = performance.now() - first;
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] ?? 0;
  const p95 = times[Math.floor(times.length * 0.95)] ?? 0;
  const ok = median <= target;
  if (!ok) failed = true;
  console.log(
    `${label.padEnd(36)} first ${cold.toFixed(1).padStart(7)} ms  min ${(times[0] ?? 0).toFixed(1).padStart(7)} ms  median ${median.toFixed(1).padStart(7)} ms  p95 ${p95.toFixed(1).padStart(7)} ms${ok ? "" : "  MISSES TARGET"}`,
  );
}

try {
  const start = performance.now();
  const { runId } = writeSyntheticDb(db, SAMPLES);
  console.log(`wrote ${SAMPLES} samples in ${((performance.now() - start) / 1000).toFixed(1)} s\n`);
  const store = ResultStore.open(db, { readonly: true });
  const run = runId;
  const deep = `${SAMPLES - 1000}@${run}`;
  await measure("first page (50)", () => store.samplePage({ run }));
  await measure("deep page (after position n-1000)", () => store.samplePage({ run }, { after: deep }));
  await measure("page back (before position n-1000)", () => store.samplePage({ run }, { before: deep }));
  await measure("rare section (1 in 1000)", () => store.samplePage({ run, section: "section_79" }));
  await measure("common section", () => store.samplePage({ run, section: "section_03" }));
  await measure("verdict: error (1 in 50)", () => store.samplePage({ run, verdict: "error" }));
  await measure("verdict: non-compliant, deep", () =>
    store.samplePage({ run, verdict: "non-compliant" }, { after: deep }),
  );
  await measure("all runs, by model", () =>
    store.samplePage({ model: "openai:synthetic-model" }, { after: deep }),
  );
  await measure("section list of the run", () => store.sampleSections(run));
  // These read every row of the run (a sort keeps the smallest keys; a search reads each text, and all to count).
  const scan = { target: SCAN_TARGET_MS, iterations: SCAN_ITERATIONS };
  await measure("sorted by section", () => store.samplePage({ run }, { sort: "section" }), scan);
  await measure("sorted by score", () => store.samplePage({ run }, { sort: "score" }), scan);
  const sortedDeep = store.samplePage({ run }, { sort: "-verdict", limit: 500 }).next ?? "";
  await measure(
    "sorted by verdict, after 500",
    () => store.samplePage({ run }, { sort: "-verdict", after: sortedDeep }),
    scan,
  );
  await measure("search, common word", () => store.samplePage({ run, search: "CONTEXT" }), scan);
  await measure("search, one match", () => store.samplePage({ run, search: `response ${SAMPLES}:` }), scan);
  await measure("search, no match", () => store.samplePage({ run, search: "zebra" }), scan);
  await measure(
    "search, one match, sorted by score",
    () => store.samplePage({ run, search: `sample ${SAMPLES}:` }, { sort: "score" }),
    scan,
  );
  store.close();

  const viewer = await startViewer({ db, port: 0 });
  try {
    await measure("HTTP /samples (HTML, 50 rows)", async () => {
      await (await fetch(`${viewer.url}samples?run=${run}&after=${encodeURIComponent(deep)}`)).text();
    });
    await measure("HTTP /api/samples (JSON, 200 rows)", async () => {
      await (await fetch(`${viewer.url}api/samples?run=${run}&limit=200&verdict=compliant`)).json();
    });
    await measure("HTTP /samples?section= (HTML)", async () => {
      await (await fetch(`${viewer.url}samples?run=${run}&section=section_79`)).text();
    });
    await measure(
      "HTTP /samples?q= (HTML, one match)",
      async () => {
        await (
          await fetch(`${viewer.url}samples?run=${run}&q=${encodeURIComponent(`sample ${SAMPLES}:`)}`)
        ).text();
      },
      { target: SCAN_TARGET_MS, iterations: SCAN_ITERATIONS },
    );
    // Not paging, for scale: the overview aggregates every sample of the run (summarizeRun, about a second at
    // 100 000 prompt-sized samples); the viewer keeps a finished run's summary, so only the first view pays.
    await measure("HTTP /runs/:id (overview, cached)", async () => {
      await (await fetch(`${viewer.url}runs/${run}`)).text();
    });
    await measure("HTTP / (runs list, all rows)", async () => {
      await (await fetch(viewer.url)).text();
    });
  } finally {
    await viewer.close();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(`\ntarget: median under ${TARGET_MS} ms per page, ${SCAN_TARGET_MS} ms for a sort or a search`);
process.exitCode = failed ? 1 : 0;
