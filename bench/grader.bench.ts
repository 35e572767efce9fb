// The grader endpoint (`modelspec serve --grader`) against a direct `gradeResponse` call, both on one loopback
// judge that answers at once (full context: every judge request carries the whole 2025-12-18 spec). Measured:
//   - latency, one request at a time: p50/p99 of a direct call, of the direct call behind a bare node:http
//     server (the floor of any HTTP surface), and of POST /v1/grade (client in this process, kept-alive
//     node:http), rounds alternating so a slow moment of the machine falls on all three; added = difference;
//   - throughput: items per second through the endpoint, as batches and as concurrent single requests, each
//     item new (the judge is asked), and again from the grade cache (no judge call).
// Run: npm run bench:grader [-- --requests 200 --items 2000 --batch 64 --clients 16 --judge-concurrency 16]
// Prints JSON lines; exits 1 when the added p50 is 2 ms or more.
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  createProvider,
  findSection,
  loadSpec,
  newBoundary,
  type Sample,
  textMessage,
} from "../src/index.js";
import { AdaptiveLimiter, DEFAULT_POLICY, type GradingPlan, gradeResponse } from "../src/runner/index.js";
import { startGraderServer } from "../src/serve/index.js";
import { ResultStore } from "../src/store/index.js";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "200" },
    items: { type: "string", default: "2000" },
    batch: { type: "string", default: "64" },
    clients: { type: "string", default: "16" },
    "judge-concurrency": { type: "string", default: "16" },
  },
});
const REQUESTS = Number(values.requests);
const ITEMS = Number(values.items);
const BATCH = Number(values.batch);
const CLIENTS = Number(values.clients);
const JUDGE_CONCURRENCY = Number(values["judge-concurrency"]);

const specDir = join(import.meta.dirname, "..", "..", "shared", "model-spec", "2025-12-18");
const spec = loadSpec(specDir);
const work = mkdtempSync(join(tmpdir(), "modelspec-bench-grader-"));

// The judge: a compliant grade at once, the request body read and dropped (its cost is the client's).
const answer = JSON.stringify({
  id: "x",
  object: "chat.completion",
  created: 1,
  model: "judge",
  choices: [
    {
      index: 0,
      finish_reason: "stop",
      message: {
        role: "assistant",
        content: JSON.stringify({
          compliance: 6,
          rationale: "fine",
          relied_on_sections: ["be_creative"],
          failure_kind: "none",
        }),
      },
    },
  ],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
});
let judgeCalls = 0;
const judgeServer = createServer((request, response) => {
  judgeCalls++;
  request.resume();
  request.on("end", () => response.setHeader("content-type", "application/json").end(answer));
});
await new Promise<void>((resolve) => judgeServer.listen(0, "127.0.0.1", resolve));
const judgeUrl = `http://127.0.0.1:${(judgeServer.address() as AddressInfo).port}/v1`;

const item = (label: string, i: number) => ({
  messages: [{ role: "user" as const, content: "Write a short poem about the sea." }],
  response: `Waves (${label} ${i}) fold the light / and hand it back to shore.`,
  section_id: "be_creative",
});

// Direct: gradeResponse with the plan createGrader builds (one grader sample; its own database).
const store = ResultStore.open(join(work, "direct.db"));
const plan: GradingPlan = {
  store,
  spec,
  judge: {
    provider: await createProvider("openai:judge", { baseURL: judgeUrl }),
    limiter: new AdaptiveLimiter(JUDGE_CONCURRENCY),
  },
  judging: {
    graderSamples: 1,
    threshold: 6,
    quorum: null,
    earlyStop: true,
    context: "full",
    maxTokens: 1024,
    temperature: null,
    hideExamples: false,
    boundary: newBoundary(),
  },
  policy: DEFAULT_POLICY,
  signal: new AbortController().signal,
};
const section = findSection(spec, "be_creative");
const direct = async (i: number) => {
  const it = item("direct", i);
  // The sample the grader makes of the request (src/runs/grader.ts).
  const sample: Sample = {
    id: "grader",
    input: it.messages.map((m) => textMessage(m.role, m.content)),
    target: null,
    sectionId: it.section_id,
    topLevelSectionId: section?.topLevelId ?? null,
    authority: section?.authority ?? null,
    focusId: null,
    references: [],
  };
  const outcome = await gradeResponse(plan, sample, it.response);
  if (outcome.status !== "verdict" || outcome.verdict.compliance !== 6) throw new Error("direct: no grade");
};

const grader = await startGraderServer({
  grader: {
    spec: specDir,
    judge: "openai:judge",
    judgeBaseUrl: judgeUrl,
    graderSamples: 1,
    judgeConcurrency: JUDGE_CONCURRENCY,
    db: join(work, "grader.db"),
  },
  port: 0,
  log: () => {},
});
// The client: node:http with kept-alive connections (lighter than fetch, so less of the client is measured).
const agent = new Agent({ keepAlive: true, maxSockets: Math.max(CLIENTS, 1) });
const post = (body: unknown, url = `${grader.url}v1/grade`) =>
  new Promise<{ score?: number; items?: { score?: number }[] }>((resolve, reject) => {
    const text = JSON.stringify(body);
    const req = request(
      url,
      {
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(text) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const json = JSON.parse(Buffer.concat(chunks).toString("utf8"));
          if (res.statusCode !== 200)
            reject(new Error(`endpoint: ${res.statusCode} ${JSON.stringify(json)}`));
          else resolve(json);
        });
      },
    );
    req.on("error", reject);
    req.end(text);
  });
const viaEndpoint = async (i: number) => {
  const json = await post(item("endpoint", i));
  if (json.score !== 5 / 6) throw new Error("endpoint: no grade");
};

// The floor of any HTTP surface here: a bare node:http server whose handler parses the body, makes the direct
// call and answers JSON (no request checks, no log line).
let bareCalls = 0;
const bareServer = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", async () => {
    JSON.parse(Buffer.concat(chunks).toString("utf8"));
    await direct(1_000_000 + bareCalls++);
    res.setHeader("content-type", "application/json").end(JSON.stringify({ score: 5 / 6 }));
  });
});
await new Promise<void>((resolve) => bareServer.listen(0, "127.0.0.1", resolve));
const bareUrl = `http://127.0.0.1:${(bareServer.address() as AddressInfo).port}/`;
const viaBare = async (i: number) => {
  const json = await post(item("bare", i), bareUrl);
  if (json.score !== 5 / 6) throw new Error("bare: no grade");
};

const quantile = (xs: number[], q: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};
const ms = (x: number) => +x.toFixed(2);

// Warm-up: the spec's judge prompt, the SDK, the HTTP connections.
for (let i = 0; i < 20; i++) {
  await direct(-1 - i);
  await viaBare(-1 - i);
  await viaEndpoint(-1 - i);
}

// Latency, alternating rounds of 10.
const times = { direct: [] as number[], bare: [] as number[], endpoint: [] as number[] };
// CPU time of this process (client, server and grading alike) per call: less at the mercy of a busy machine.
const cpu = { direct: 0, bare: 0, endpoint: 0 };
for (let round = 0; round < REQUESTS / 10; round++) {
  for (const [name, call] of [
    ["direct", direct],
    ["bare", viaBare],
    ["endpoint", viaEndpoint],
  ] as const) {
    for (let i = 0; i < 10; i++) {
      const start = performance.now();
      const used = process.cpuUsage();
      await call(round * 10 + i);
      times[name].push(performance.now() - start);
      const { user, system } = process.cpuUsage(used);
      cpu[name] += (user + system) / 1000;
    }
  }
}
const latency = {
  bench: "grader-latency",
  requests: REQUESTS,
  direct: { p50: ms(quantile(times.direct, 0.5)), p99: ms(quantile(times.direct, 0.99)) },
  bareHttp: { p50: ms(quantile(times.bare, 0.5)), p99: ms(quantile(times.bare, 0.99)) },
  endpoint: { p50: ms(quantile(times.endpoint, 0.5)), p99: ms(quantile(times.endpoint, 0.99)) },
  addedP50: ms(quantile(times.endpoint, 0.5) - quantile(times.direct, 0.5)),
  addedOverBareP50: ms(quantile(times.endpoint, 0.5) - quantile(times.bare, 0.5)),
  cpuMsPerCall: {
    direct: ms(cpu.direct / times.direct.length),
    bareHttp: ms(cpu.bare / times.bare.length),
    endpoint: ms(cpu.endpoint / times.endpoint.length),
  },
  loadAverage: +(loadavg()[0] ?? 0).toFixed(1),
};
console.log(JSON.stringify(latency));

// Throughput of new items (each asks the judge), then the same items again (from the cache).
const throughput = async (mode: "batch" | "clients", label: string) => {
  const calls = judgeCalls;
  const start = performance.now();
  if (mode === "batch") {
    for (let from = 0; from < ITEMS; from += BATCH) {
      const items = Array.from({ length: Math.min(BATCH, ITEMS - from) }, (_, i) => item(label, from + i));
      const json = await post({ items });
      if (json.items?.some((x) => x.score !== 5 / 6)) throw new Error("batch: an item without a grade");
    }
  } else {
    let next = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        for (let i = next++; i < ITEMS; i = next++) {
          const json = await post(item(label, i));
          if (json.score !== 5 / 6) throw new Error("client: no grade");
        }
      }),
    );
  }
  const seconds = (performance.now() - start) / 1000;
  return { itemsPerSecond: +(ITEMS / seconds).toFixed(1), judgeCalls: judgeCalls - calls };
};
for (const mode of ["batch", "clients"] as const) {
  const fresh = await throughput(mode, mode);
  const cached = await throughput(mode, mode);
  console.log(
    JSON.stringify({
      bench: "grader-throughput",
      mode,
      items: ITEMS,
      ...(mode === "batch" ? { batch: BATCH } : { clients: CLIENTS }),
      judgeConcurrency: JUDGE_CONCURRENCY,
      judged: fresh,
      cached,
      rssMb: Math.round(process.memoryUsage().rss / 2 ** 20),
    }),
  );
}

agent.destroy();
bareServer.close();
await grader.close();
store.close();
judgeServer.close();
rmSync(work, { recursive: true, force: true });
if (!(latency.addedP50 < 2)) {
  console.error(`grader: added p50 ${latency.addedP50} ms (target < 2 ms)`);
  process.exitCode = 1;
}
