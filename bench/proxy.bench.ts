// What `modelspec serve` adds: latency p50/p99 through the proxy against the same requests sent direct, to a
// loopback upstream that answers after a fixed latency; non-streaming (time to the whole answer) and streaming
// (time to first byte, TTFB), at 1 and at 100 concurrent clients; and the proxy's resident memory.
// Three processes: this one (the clients, over kept-alive node:http), the upstream (the tests' fake server, in a
// child), the proxy (the built CLI, `modelspec serve`, in a child).
// Run: npm run bench:proxy [-- --latency 200 --requests 150 --rounds 10]   (builds nothing: `npm run build` first)
// Targets: added p50 < 2 ms without guard; TTFB p50 with --guard flag within 2 ms of direct. Exits 1 when missed.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { Agent, createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type FakeReply, startFakeLlmServer } from "../test/support/fake-llm-server.js";

const ROOT = join(import.meta.dirname, "..");
const SPEC = join(ROOT, "..", "shared", "model-spec", "2025-12-18");
const { values } = parseArgs({
  options: {
    role: { type: "string", default: "bench" },
    latency: { type: "string", default: "200" },
    requests: { type: "string", default: "150" },
    rounds: { type: "string", default: "10" },
    upstream: { type: "string" },
  },
});
const LATENCY = Number(values.latency);
const TARGET_MS = 2;

const children = new Set<ChildProcess>();
// A bench that fails half-way leaves no server behind.
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

/** Starts a child and resolves with the first URL it prints; its stderr (the proxy's log) is read and dropped. */
function startChild(args: string[], pattern: RegExp): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  child.once("exit", () => children.delete(child));
  let tail = "";
  child.stderr?.on("data", (d) => {
    tail = `${tail}${d}`.slice(-2000);
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (d) => {
      out += d;
      const url = pattern.exec(out)?.[0];
      if (url) resolve({ child, url });
    });
    child.on("exit", (code) => reject(new Error(`${args.join(" ")} exited ${code}: ${tail}`)));
  });
}

const BODY = (stream: boolean) =>
  JSON.stringify({
    model: "m",
    stream,
    messages: [
      {
        role: "system",
        content: "You are the support assistant of an online shop. Answer briefly and kindly.",
      },
      { role: "user", content: "What does this page say about returns?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "c1", type: "function", function: { name: "fetch", arguments: '{"url":"/returns"}' } },
        ],
      },
      { role: "tool", tool_call_id: "c1", content: "Returns are free within 30 days. ".repeat(30) },
    ],
  });

interface Timing {
  /** Time to the first byte of the body. */
  ttfb: number;
  /** Time to the end of the body. */
  total: number;
}

/** One POST over a kept-alive connection, timed. */
function post(url: URL, body: string, agent: Agent): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    let ttfb = 0;
    const req = request(
      url,
      {
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        res.once("data", () => {
          ttfb = performance.now() - start;
        });
        res.on("data", () => {});
        res.on("end", () => {
          if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
          else resolve({ ttfb, total: performance.now() - start });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** `clients` loops, each sending `perClient` requests one after the other. */
async function load(base: string, stream: boolean, clients: number, perClient: number): Promise<Timing[]> {
  const url = new URL(`${base}/chat/completions`);
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const body = BODY(stream);
  const timings: Timing[] = [];
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = 0; i < perClient; i++) timings.push(await post(url, body, agent));
    }),
  );
  agent.destroy();
  return timings;
}

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
};
const round = (x: number) => Math.round(x * 100) / 100;

/** CPU time (user + system) a process has used, in ms. */
function cpuMsOf(pid: number | undefined): number {
  // Fields 14 and 15 of /proc/<pid>/stat, after the command name (which may hold spaces) in parentheses.
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

function rssOf(pid: number | undefined): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
  return { rssMb: Math.round(kb("VmRSS") / 1024), peakMb: Math.round(kb("VmHWM") / 1024) };
}

async function bench(): Promise<void> {
  const requests = Number(values.requests);
  const upstream = await startChild(
    ["--import", "tsx", "bench/proxy.bench.ts", "--role", "upstream", "--latency", String(LATENCY)],
    /http:\/\/127\.0\.0\.1:\d+/,
  );
  const direct = `${upstream.url}/v1`;
  const serve = (...flags: string[]) => [
    "dist/cli/main.js",
    "serve",
    "--upstream",
    direct,
    "--port",
    "0",
    "--spec",
    SPEC,
    ...flags,
  ];
  const configs = [
    {
      name: "bare node:http proxy (reference)",
      args: ["--import", "tsx", "bench/proxy.bench.ts", "--role", "bare-proxy", "--upstream", direct],
      guard: false,
      reference: true,
    },
    { name: "nothing applied", args: serve("--rules", "none", "--spotlight", "off"), guard: false },
    { name: "rules + spotlight", args: serve(), guard: false },
    {
      name: "rules + spotlight + guard flag",
      args: serve("--guard", "flag", "--guard-model", "openai:guard", "--guard-base-url", direct),
      guard: true,
    },
  ];
  let failed = false;
  for (const config of configs) {
    const proxy = await startChild(config.args, /http:\/\/127\.0\.0\.1:\d+\/v1/);
    for (const [stream, clients] of [
      [false, 1],
      [true, 1],
      [false, 100],
      [true, 100],
    ] as const) {
      const perClient = clients === 1 ? requests : Math.max(1, Math.round((requests * 5) / clients));
      await load(direct, stream, Math.min(clients, 10), 5);
      await load(proxy.url, stream, Math.min(clients, 10), 5);
      // Alternating rounds, so a slow moment of the machine falls on both sides alike.
      const rounds = Number(values.rounds);
      const timings = { direct: [] as Timing[], proxied: [] as Timing[] };
      const per = Math.max(1, Math.round(perClient / rounds));
      let proxyCpuMs = 0;
      for (let r = 0; r < rounds; r++) {
        timings.direct.push(...(await load(direct, stream, clients, per)));
        const cpu = cpuMsOf(proxy.child.pid);
        timings.proxied.push(...(await load(proxy.url, stream, clients, per)));
        proxyCpuMs += cpuMsOf(proxy.child.pid) - cpu;
      }
      const metric = (t: Timing) => (stream ? t.ttfb : t.total);
      const side = (ts: Timing[]) => ({
        p50: round(percentile(ts.map(metric), 0.5)),
        p99: round(percentile(ts.map(metric), 0.99)),
      });
      const d = side(timings.direct);
      const p = side(timings.proxied);
      const added = { p50: round(p.p50 - d.p50), p99: round(p.p99 - d.p99) };
      // The targets: nothing added without a guard; with flag, nothing added before the first byte (a
      // completion with flag waits for the guard's call by design: measured, no target).
      const targeted = !("reference" in config) && (!config.guard || stream);
      const ok = !targeted || added.p50 < TARGET_MS;
      if (!ok) failed = true;
      console.log(
        JSON.stringify({
          config: config.name,
          measure: stream ? "stream TTFB" : "completion",
          clients,
          requests: timings.proxied.length,
          upstreamLatencyMs: LATENCY,
          loadAverage: round(loadavg()[0] ?? 0),
          directMs: d,
          proxiedMs: p,
          addedMs: added,
          // The proxy's own CPU per request (its guard calls included): what the machine's load cannot blur.
          proxyCpuMsPerRequest: round(proxyCpuMs / timings.proxied.length),
          ...(ok ? {} : { missesTarget: `added p50 ≥ ${TARGET_MS} ms` }),
        }),
      );
    }
    console.log(JSON.stringify({ config: config.name, proxyMemory: rssOf(proxy.child.pid) }));
    proxy.child.kill("SIGTERM");
    await new Promise((resolve) => proxy.child.once("exit", resolve));
  }
  upstream.child.kill("SIGTERM");
  process.exitCode = failed ? 1 : 0;
}

/** The upstream: a completion, or a stream of 20 content chunks 1 ms apart, after the fixed latency. */
async function serveUpstream(): Promise<void> {
  // The guard model's requests (response_format) get a compliant grade.
  const content = (delta: object, finish: string | null = null) =>
    `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  const events = [
    content({ role: "assistant", content: "" }),
    ...Array.from({ length: 20 }, (_, i) => content({ content: `word${i} ` })),
    content({}, "stop"),
    "data: [DONE]\n\n",
  ];
  const server = await startFakeLlmServer({
    latencyMs: LATENCY,
    keepBodies: false,
    script: (body): FakeReply => {
      const b = body as { stream?: boolean; response_format?: unknown };
      if (b.response_format !== undefined) {
        return { json: { compliance: 7, rationale: "ok", relied_on_sections: [], failure_kind: "none" } };
      }
      return b.stream
        ? { events, gapMs: 1 }
        : { text: "A short answer of about twenty tokens, like a real one." };
    },
  });
  console.log(server.url);
  process.on("SIGTERM", () => void server.close().then(() => process.exit(0)));
}

/**
 * For reference, the floor: a bare node:http pass-through (request and answer piped, no parsing, no log), what any
 * Node proxy costs on this machine.
 */
async function serveBareProxy(upstream: URL): Promise<void> {
  const agent = new Agent({ keepAlive: true });
  const server = createServer((req, res) => {
    const path = `${upstream.pathname.replace(/\/$/, "")}${(req.url ?? "/").replace(/^\/v1/, "")}`;
    const out = request(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        path,
        method: req.method,
        headers: req.headers,
        agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  console.log(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`);
}

if (values.role === "upstream") await serveUpstream();
else if (values.role === "bare-proxy") await serveBareProxy(new URL(values.upstream ?? ""));
else await bench();
