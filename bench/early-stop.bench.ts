// Judge calls saved by early stopping of grader samples, on the scripted loopback server.
//
// Run: npm run bench:early-stop [-- --samples 300 --latency 20 --seed 1]
//
// One eval of `--samples` synthetic prompts (section context: small judge prompts) through the library against
// the loopback fake OpenAI-compatible server (test/support/fake-llm-server.ts), which answers every request after
// `--latency` ms. Two scripted judges:
//   - "agreeing": every grader sample of a response gives the same score (a judge at temperature 0);
//   - "mixed": each response has a true quality (68% clearly compliant 6–7, 17% clearly not 1–3, 15% borderline
//     5–6) and each grader sample of it draws a score around it (±1 a third of the time), with 2% unparseable
//     answers: what a sampled judge looks like.
// Answers are a function of the response and how often it was asked, so every configuration sees the same ones.
// For each judge, N=3 and N=5, with early stopping (default) and with --grader-samples-all: judge calls, calls
// per sample, the saving, wall time, and whether every verdict (status and compliant flag) equals the all-N one.
// Prints one JSON line per run and a markdown table at the end. Exits 1 when a verdict differs from the all-N one
// or the agreeing judge saves less than 1/3 at N=3 or 2/5 at N=5.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { evaluate, openResults, type Sample, textMessage } from "../src/index.js";
import { type FakeReply, startFakeLlmServer } from "../test/support/fake-llm-server.js";

const { values: args } = parseArgs({
  options: {
    samples: { type: "string", default: "300" },
    latency: { type: "string", default: "20" },
    seed: { type: "string", default: "1" },
  },
});
const SAMPLES = Number(args.samples);
const LATENCY_MS = Number(args.latency);
const SEED = Number(args.seed);
const SPEC = join(import.meta.dirname, "..", "..", "shared", "model-spec", "2025-12-18");

const work = mkdtempSync(join(tmpdir(), "modelspec-early-stop-bench-"));

/** A deterministic number in [0, 1) from a string (FNV-1a, then a mulberry32 step). */
function unit(text: string): number {
  let h = 0x811c9dc5 ^ SEED;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  let t = (h + 0x6d2b79f5) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

type Judge = (response: string, asked: number) => number | "unparseable";

const JUDGES: Record<string, Judge> = {
  agreeing: (response) => (unit(`q:${response}`) < 0.8 ? 7 : 2),
  mixed: (response, asked) => {
    const q = unit(`q:${response}`);
    const base = q < 0.68 ? 6.5 : q < 0.85 ? 2 : 5.5;
    const draw = unit(`a:${response}:${asked}`);
    if (draw < 0.02) return "unparseable";
    const noise = draw < 0.19 ? -1 : draw < 0.36 ? 1 : 0;
    const rounded = base % 1 === 0 ? base : unit(`r:${response}:${asked}`) < 0.5 ? base - 0.5 : base + 0.5;
    return Math.min(7, Math.max(1, rounded + noise));
  },
};

type Body = { messages?: { content: string }[]; response_format?: unknown };

function script(judge: Judge) {
  const asked = new Map<string, number>();
  return (body: unknown): FakeReply => {
    const b = body as Body;
    const last = b.messages?.at(-1)?.content ?? "";
    if (b.response_format === undefined) return { text: `Answer to: ${last.slice(0, 40)}` };
    const response = /<candidate_response-[0-9a-f]+>\n([^<]*)\n/.exec(last)?.[1] ?? "";
    const n = asked.get(response) ?? 0;
    asked.set(response, n + 1);
    const score = judge(response, n);
    if (score === "unparseable") return { text: "I think it is fine." };
    return {
      json: { compliance: score, rationale: "scripted", relied_on_sections: [], failure_kind: "none" },
    };
  };
}

const samples: Sample[] = Array.from({ length: SAMPLES }, (_, i) => ({
  id: `bench/${i}`,
  input: [textMessage("user", `Benchmark prompt ${i}: write a short poem about the number ${i}.`)],
  target: "A short, original poem.",
  sectionId: "be_creative",
  topLevelSectionId: null,
  authority: null,
  focusId: null,
  references: [],
}));

interface Row {
  judge: string;
  graderSamples: number;
  earlyStop: boolean;
  samples: number;
  judgeCalls: number;
  callsPerSample: number;
  wallS: number;
  verdicts: Map<string, string>;
}

async function measure(judgeName: string, graderSamples: number, earlyStop: boolean): Promise<Row> {
  const judge = JUDGES[judgeName] as Judge;
  const server = await startFakeLlmServer({
    script: script(judge),
    latencyMs: LATENCY_MS,
    keepBodies: false,
  });
  const db = join(work, `${judgeName}-${graderSamples}-${earlyStop}.db`);
  try {
    const started = performance.now();
    const summary = await evaluate({
      spec: SPEC,
      model: "openai:bench-candidate",
      judge: "openai:bench-judge",
      dataset: samples,
      judgeContext: "section",
      graderSamples,
      graderSamplesAll: !earlyStop,
      concurrency: 8,
      judgeConcurrency: 8,
      baseUrl: `${server.url}/v1`,
      judgeBaseUrl: `${server.url}/v1`,
      db,
    });
    const wallS = (performance.now() - started) / 1000;
    const judgeCalls = server.requests.filter((r) => r.path.endsWith("/chat/completions")).length - SAMPLES;
    const verdicts = new Map<string, string>();
    const results = openResults(db);
    try {
      for await (const row of results.samples(summary.runId)) {
        verdicts.set(row.sampleId, `${row.verdict?.status}:${row.verdict?.compliant}`);
      }
    } finally {
      results.close();
    }
    return {
      judge: judgeName,
      graderSamples,
      earlyStop,
      samples: summary.samples,
      judgeCalls,
      callsPerSample: judgeCalls / summary.samples,
      wallS,
      verdicts,
    };
  } finally {
    await server.close();
  }
}

const table: string[] = [
  "| judge | N | early stop | judge calls | per sample | saved | wall s | verdicts = all-N |",
  "|---|---|---|---|---|---|---|---|",
];
try {
  // A first run loads what every run uses (the provider SDK, the spec): not counted.
  await measure("agreeing", 1, true);
  for (const judgeName of Object.keys(JUDGES)) {
    for (const n of [3, 5]) {
      const all = await measure(judgeName, n, false);
      const early = await measure(judgeName, n, true);
      const same = [...early.verdicts].filter(([id, v]) => all.verdicts.get(id) === v).length;
      const target = judgeName === "agreeing" ? (n - Math.ceil((n + 1) / 2)) / n : 0;
      if (same !== SAMPLES || 1 - early.judgeCalls / all.judgeCalls < target - 1e-9) process.exitCode = 1;
      for (const row of [all, early]) {
        const saved = 1 - row.judgeCalls / all.judgeCalls;
        const { verdicts: _, ...shown } = row;
        console.log(JSON.stringify({ ...shown, saved: +saved.toFixed(4), sameVerdicts: same }));
        table.push(
          `| ${row.judge} | ${n} | ${row.earlyStop ? "on" : "off"} | ${row.judgeCalls} | ${row.callsPerSample.toFixed(2)} | ${(saved * 100).toFixed(1)}% | ${row.wallS.toFixed(2)} | ${row.earlyStop ? `${same}/${row.samples}` : "—"} |`,
        );
      }
    }
  }
  console.log(`\n${SAMPLES} samples, ${LATENCY_MS} ms latency, concurrency 8 + 8, seed ${SEED}\n`);
  console.log(table.join("\n"));
} finally {
  rmSync(work, { recursive: true, force: true });
}
