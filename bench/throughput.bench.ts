// Throughput and memory benchmark of `modelspec eval`, and the same workload through promptfoo.
//
// Run: npm run bench:throughput [-- options]
//   --mode all|throughput|memory   what to run (default all)
//   --samples 900 --latency 200 --concurrency 8 --rpm 1800 --window 1000   the throughput workload
//   --memory-samples 100000        the memory workload (zero latency, no rate limit)
//   --promptfoo 0.121              promptfoo version, installed into a temp folder at bench time
//   --promptfoo-prefix <dir>       reuse a folder where `npm install --prefix <dir> promptfoo@…` was run
//   --no-promptfoo                 modelspec only
//   --cli dist|src                 modelspec built into a temp folder with tsc (default), or run through tsx
//   --spec <dir>                   spec folder (default ../shared/model-spec/2025-12-18)
//
// Both tools talk to one loopback fake OpenAI-compatible server (test/support/fake-llm-server.ts) that answers
// every request after `--latency` ms and, over a sliding window of `--window` ms, accepts at most
// rpm·window/60000 requests, answering the rest 429 with Retry-After (seconds) and retry-after-ms. Each sample is
// one candidate request and one judge request (`--grader-samples 1`; promptfoo: one llm-rubric grading call).
// "Concurrency C" means at most C requests in flight: modelspec gets --concurrency C/2 --judge-concurrency C/2,
// promptfoo -j C (each test case makes its two calls one after the other).
//
// Efficiency = ideal wall time / measured wall time, where ideal = max(requests·latency/C, requests/rpm·60): the
// time the requests need if the concurrency or the rate limit is always used to the full. Measured wall time is
// the whole process, start-up included. Peak RSS is the eval process's maximum resident set (GNU time's %M, else
// VmHWM polled from /proc). Prints one JSON line per run and a markdown table at the end.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type FakeLlmServer, type FakeReply, startFakeLlmServer } from "../test/support/fake-llm-server.js";

const ROOT = join(import.meta.dirname, "..");
const { values: args } = parseArgs({
  options: {
    mode: { type: "string", default: "all" },
    samples: { type: "string", default: "900" },
    latency: { type: "string", default: "200" },
    concurrency: { type: "string", default: "8" },
    rpm: { type: "string", default: "1800" },
    window: { type: "string", default: "1000" },
    "memory-samples": { type: "string", default: "100000" },
    promptfoo: { type: "string", default: "0.121" },
    "promptfoo-prefix": { type: "string" },
    "no-promptfoo": { type: "boolean", default: false },
    cli: { type: "string", default: "dist" },
    spec: { type: "string", default: join(ROOT, "..", "shared", "model-spec", "2025-12-18") },
  },
});

const SAMPLES = Number(args.samples);
const LATENCY_MS = Number(args.latency);
const CONCURRENCY = Number(args.concurrency);
const RPM = Number(args.rpm);
const WINDOW_MS = Number(args.window);
const MEMORY_SAMPLES = Number(args["memory-samples"]);
const TARGETS = { efficiency: 0.9, memoryMb: 300 };
if (CONCURRENCY < 2 || CONCURRENCY % 2 !== 0)
  throw new Error("--concurrency must be even (split candidate/judge)");

const work = mkdtempSync(join(tmpdir(), "modelspec-bench-"));
const GNU_TIME = ["/usr/bin/time", "/bin/time"].find((p) => existsSync(p));

interface Measured {
  tool: string;
  scenario: string;
  samples: number;
  concurrency: number;
  latencyMs: number;
  rpm: number | null;
  requests: number;
  rateLimited: number;
  idealS: number;
  wallS: number;
  /** First request's arrival to last response: the wall time without process start-up. */
  requestWindowS: number;
  /** Null without a bound to compare with (the memory run has no latency and no rate limit). */
  efficiency: number | null;
  peakRssMb: number;
  ok: boolean;
  note: string;
}

/** Answers for both tools: the modelspec judge (structured output), promptfoo's llm-rubric grader, candidates. */
function reply(body: unknown): FakeReply {
  const b = body as { response_format?: unknown; messages?: { content?: unknown }[] };
  if (b.response_format !== undefined) {
    return { json: { compliance: 7, rationale: "fine", relied_on_sections: [], failure_kind: "none" } };
  }
  const first = b.messages?.[0]?.content;
  if (typeof first === "string" && first.startsWith("You are grading output")) {
    return { json: { reason: "The output follows the rubric.", pass: true, score: 1 } };
  }
  return { text: "A one-sentence answer about the number." };
}

function writeDataset(n: number): {
  jsonl: string;
  records: { id: string; input: string; target: string }[];
} {
  const records = Array.from({ length: n }, (_, i) => ({
    id: `b${i}`,
    input: `Benchmark prompt ${i}: write one sentence about the number ${i}.`,
    target: "Answers in one sentence.",
  }));
  const jsonl = join(work, `dataset-${n}.jsonl`);
  writeFileSync(jsonl, `${records.map((r) => JSON.stringify(r)).join("\n")}\n`);
  return { jsonl, records };
}

/** Runs a command, measuring wall time and the peak RSS of the process it starts. */
async function measure(command: string, argv: string[], env: NodeJS.ProcessEnv) {
  const timeFile = join(work, `time-${Date.now()}.txt`);
  const [file, fileArgs] = GNU_TIME
    ? [GNU_TIME, ["-f", "%M", "-o", timeFile, command, ...argv]]
    : [command, argv];
  const started = performance.now();
  const child: ChildProcess = spawn(file, fileArgs, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d) => {
    stdout += d;
  });
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  let polledKb = 0;
  const poll = setInterval(() => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      polledKb = Math.max(polledKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
    } catch {
      // exited
    }
  }, 100);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearInterval(poll);
  const wallS = (performance.now() - started) / 1000;
  const kb = GNU_TIME ? Number(readFileSync(timeFile, "utf8").trim().split("\n").at(-1)) : polledKb;
  return { code, stdout, stderr, wallS, peakRssMb: kb / 1024 };
}

/** The modelspec CLI: built once with tsc into a temp folder (what `npx modelspec` runs), or from source via tsx. */
function modelspecCommand(): string[] {
  if (args.cli === "src") return ["--import", "tsx", join(ROOT, "src/cli/main.ts")];
  const out = join(work, "modelspec");
  mkdirSync(out);
  writeFileSync(join(out, "package.json"), readFileSync(join(ROOT, "package.json")));
  symlinkSync(join(ROOT, "node_modules"), join(out, "node_modules"));
  const tsc = spawnSync(
    process.execPath,
    [
      join(ROOT, "node_modules/typescript/bin/tsc"),
      "-p",
      "tsconfig.build.json",
      "--outDir",
      join(out, "dist"),
    ],
    { cwd: ROOT, encoding: "utf8" },
  );
  if (!existsSync(join(out, "dist/cli/main.js"))) throw new Error(`tsc failed:\n${tsc.stdout}${tsc.stderr}`);
  return [join(out, "dist/cli/main.js")];
}

function requestStats(server: FakeLlmServer, from: number) {
  const requests = server.requests.slice(from);
  // A loop, not Math.min(...spread): 200 000 arguments overflow the stack.
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  for (const q of requests) {
    first = Math.min(first, q.at);
    last = Math.max(last, q.response?.at ?? q.at);
  }
  return {
    requests: requests.length,
    rateLimited: requests.filter((q) => q.response?.status === 429).length,
    requestWindowS: (last - first) / 1000,
  };
}

/** The loopback server both tools talk to: fixed latency, and a sliding-window rate limit when rpm is set. */
function startBenchServer(latencyMs: number, rpm: number | null): Promise<FakeLlmServer> {
  return startFakeLlmServer({
    script: reply,
    latencyMs,
    keepBodies: false,
    ...(rpm ? { requestsPerMinute: rpm, rateWindowMs: WINDOW_MS } : {}),
  });
}

function idealSeconds(requests: number, latencyMs: number, rpm: number | null): number {
  return Math.max((requests * latencyMs) / 1000 / CONCURRENCY, rpm ? (requests / rpm) * 60 : 0);
}

async function runModelspec(
  cli: string[],
  scenario: string,
  n: number,
  latencyMs: number,
  rpm: number | null,
) {
  const { jsonl } = writeDataset(n);
  const server = await startBenchServer(latencyMs, rpm);
  try {
    const db = join(work, `${scenario}.db`);
    const half = String(CONCURRENCY / 2);
    const r = await measure(
      process.execPath,
      [
        ...cli,
        "eval",
        "--spec",
        args.spec,
        "--dataset",
        jsonl,
        "--model",
        "openai:candidate-model",
        "--judge",
        "openai:judge-model",
        "--grader-samples",
        "1",
        "--judge-context",
        "section",
        "--concurrency",
        half,
        "--judge-concurrency",
        half,
        "--db",
        db,
        "--json",
        "--no-progress",
      ],
      { ...process.env, OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: "sk-bench", NO_COLOR: "1" },
    );
    let graded = 0;
    try {
      graded = JSON.parse(r.stdout).overall.graded;
    } catch {
      // reported below as not ok
    }
    const stats = requestStats(server, 0);
    const idealS = idealSeconds(2 * n, latencyMs, rpm);
    return result(
      "modelspec",
      scenario,
      n,
      latencyMs,
      rpm,
      stats,
      idealS,
      r,
      graded === n,
      `graded ${graded}/${n}`,
    );
  } finally {
    await server.close();
  }
}

function installPromptfoo(): string {
  if (args["promptfoo-prefix"]) return args["promptfoo-prefix"];
  const prefix = join(work, "promptfoo");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  console.error(`installing promptfoo@${args.promptfoo} into ${prefix} …`);
  const r = spawnSync(
    npm,
    [
      "install",
      "--prefix",
      prefix,
      `promptfoo@${args.promptfoo}`,
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
    ],
    { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  );
  if (r.status !== 0) throw new Error(`npm install promptfoo failed:\n${r.stderr}`);
  return prefix;
}

async function runPromptfoo(
  prefix: string,
  scenario: string,
  n: number,
  latencyMs: number,
  rpm: number | null,
) {
  const pkg = JSON.parse(readFileSync(join(prefix, "node_modules/promptfoo/package.json"), "utf8"));
  const bin = join(prefix, "node_modules/promptfoo", pkg.bin.promptfoo);
  const { records } = writeDataset(n);
  const server = await startBenchServer(latencyMs, rpm);
  try {
    const provider = (id: string) => ({
      id: `openai:chat:${id}`,
      config: { apiBaseUrl: `${server.url}/v1`, apiKey: "sk-bench", max_tokens: 1024 },
    });
    const config = {
      description: "modelspec throughput benchmark",
      prompts: ["{{input}}"],
      providers: [provider("candidate-model")],
      defaultTest: {
        options: { provider: provider("judge-model") },
        assert: [{ type: "llm-rubric", value: "{{target}}" }],
      },
      tests: records.map((r) => ({ description: r.id, vars: { input: r.input, target: r.target } })),
    };
    const configFile = join(work, `promptfoo-${scenario}.json`);
    const output = join(work, `promptfoo-${scenario}-out.json`);
    writeFileSync(configFile, JSON.stringify(config));
    const r = await measure(
      process.execPath,
      [
        bin,
        "eval",
        "-c",
        configFile,
        "-j",
        String(CONCURRENCY),
        "--no-cache",
        "--no-table",
        "--no-progress-bar",
      ].concat(["-o", output]),
      {
        ...process.env,
        OPENAI_API_KEY: "sk-bench",
        PROMPTFOO_CONFIG_DIR: join(work, "promptfoo-home"),
        PROMPTFOO_DISABLE_TELEMETRY: "1",
        PROMPTFOO_DISABLE_UPDATE: "1",
        NO_COLOR: "1",
      },
    );
    let passed = 0;
    try {
      passed = JSON.parse(readFileSync(output, "utf8")).results.stats.successes;
    } catch {
      // reported below as not ok
    }
    const stats = requestStats(server, 0);
    const idealS = idealSeconds(2 * n, latencyMs, rpm);
    const note = `passed ${passed}/${n}`;
    return result(
      `promptfoo ${pkg.version}`,
      scenario,
      n,
      latencyMs,
      rpm,
      stats,
      idealS,
      r,
      passed === n,
      note,
    );
  } finally {
    await server.close();
  }
}

function result(
  tool: string,
  scenario: string,
  samples: number,
  latencyMs: number,
  rpm: number | null,
  stats: { requests: number; rateLimited: number; requestWindowS: number },
  idealS: number,
  r: { code: number | null; stderr: string; wallS: number; peakRssMb: number },
  ok: boolean,
  note: string,
): Measured {
  const measured: Measured = {
    tool,
    scenario,
    samples,
    concurrency: CONCURRENCY,
    latencyMs,
    rpm,
    ...stats,
    idealS: round(idealS),
    wallS: round(r.wallS),
    requestWindowS: round(stats.requestWindowS),
    efficiency: idealS > 0 ? round(idealS / r.wallS, 3) : null,
    peakRssMb: Math.round(r.peakRssMb),
    ok: ok && r.code === 0,
    note: r.code === 0 ? note : `exit ${r.code}: ${r.stderr.trim().split("\n").slice(-3).join(" | ")}`,
  };
  console.log(JSON.stringify({ ...measured, loadavg: loadavg().map((x) => round(x)) }));
  return measured;
}

const round = (x: number, digits = 1) => Number(x.toFixed(digits));

const results: Measured[] = [];
console.error(
  `bench: ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, ` +
    `load ${loadavg().map((x) => x.toFixed(1))}, work folder ${work}`,
);
try {
  const cli = modelspecCommand();
  if (args.mode === "all" || args.mode === "throughput") {
    const rpm = RPM > 0 ? RPM : null;
    results.push(await runModelspec(cli, "throughput", SAMPLES, LATENCY_MS, rpm));
    if (!args["no-promptfoo"]) {
      const prefix = installPromptfoo();
      results.push(await runPromptfoo(prefix, "throughput", SAMPLES, LATENCY_MS, rpm));
    }
  }
  if (args.mode === "all" || args.mode === "memory") {
    results.push(await runModelspec(cli, "memory", MEMORY_SAMPLES, 0, null));
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

console.log(
  [
    "",
    `| tool | scenario | samples | C | latency | rpm | requests | 429s | ideal s | wall s | request window s | efficiency | peak RSS MB | ok |`,
    "| --- | --- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --- |",
    ...results.map(
      (m) =>
        `| ${m.tool} | ${m.scenario} | ${m.samples} | ${m.concurrency} | ${m.latencyMs} ms | ${m.rpm ?? "—"} | ` +
        `${m.requests} | ${m.rateLimited} | ${m.idealS} | ${m.wallS} | ${m.requestWindowS} | ${m.efficiency ?? "—"} | ` +
        `${m.peakRssMb} | ${m.ok ? "yes" : `no: ${m.note}`} |`,
    ),
  ].join("\n"),
);
const ours = results.find((m) => m.tool === "modelspec" && m.scenario === "throughput");
const theirs = results.find((m) => m.tool.startsWith("promptfoo") && m.scenario === "throughput");
const memory = results.find((m) => m.scenario === "memory");
const verdicts: string[] = [];
if (ours) verdicts.push(`efficiency ${ours.efficiency} (target ≥ ${TARGETS.efficiency})`);
if (ours && theirs) {
  verdicts.push(
    `promptfoo/modelspec wall time ${round(theirs.wallS / ours.wallS, 2)}×, ` +
      `peak RSS ${round(theirs.peakRssMb / ours.peakRssMb, 2)}×`,
  );
}
if (memory)
  verdicts.push(`${memory.samples} samples: peak RSS ${memory.peakRssMb} MB (target < ${TARGETS.memoryMb})`);
console.log(`\n${verdicts.join("; ")}`);
const missed =
  results.some((m) => !m.ok) ||
  (ours !== undefined && (ours.efficiency ?? 0) < TARGETS.efficiency) ||
  (ours !== undefined && theirs !== undefined && ours.wallS >= theirs.wallS) ||
  (memory !== undefined && memory.peakRssMb >= TARGETS.memoryMb);
process.exitCode = missed ? 1 : 0;
