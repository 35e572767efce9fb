// The grader endpoint (`serve --grader`'s server) on a scripted loopback judge: its score for a sample is the one
// eval stored for the same sample and response, a repeated request (also after a restart) is answered from the
// cache, a batch answers in order with a bad item as its own error, the judge's requests in flight stay within
// --judge-concurrency, and bad requests get a 4xx with one clear message.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import Database from "better-sqlite3";
import { evalPromptSamples, evaluate, type JsonlRecord, loadSpec, toJsonlRecord } from "../../src/index.js";
import { type RunningGrader, startGraderServer } from "../../src/serve/index.js";
import {
  type FakeLlmServer,
  type FakeReply,
  type RecordedRequest,
  startFakeLlmServer,
} from "../support/fake-llm-server.js";
import { releaseDir } from "../support/paths.js";

const SPEC = releaseDir("2025-12-18");
const work = mkdtempSync(join(tmpdir(), "modelspec-grader-"));

type Body = { response_format?: unknown; messages?: { content?: unknown }[] };
const isJudge = (body: unknown) => (body as Body)?.response_format !== undefined;

/**
 * The candidate answers `score-marker:N` (N from the conversation's hash); the judge grades a response by the
 * marker it carries, so different responses get different compliances and the same one always the same.
 */
function script(body: unknown): FakeReply {
  const messages = (body as Body).messages ?? [];
  if (!isJudge(body)) {
    const n = 1 + ((createHash("sha256").update(JSON.stringify(messages)).digest()[0] ?? 0) % 7);
    return { text: `Here is my answer. score-marker:${n}` };
  }
  const last = String(messages.at(-1)?.content ?? "");
  const compliance = Number(/score-marker:(\d)/.exec(last)?.[1] ?? "4");
  return {
    json: {
      compliance,
      rationale: "scripted",
      relied_on_sections: ["#be_creative"],
      failure_kind: compliance >= 6 ? "none" : "too-permissive",
    },
  };
}

let server: FakeLlmServer;
let grader: RunningGrader;
const logs: string[] = [];
const db = join(work, "results.db");
const graderOptions = () => ({
  spec: SPEC,
  judge: "openai:judge",
  judgeBaseUrl: `${server.url}/v1`,
  graderSamples: 3,
  db,
});
const judgeCalls = (requests: readonly RecordedRequest[]) => requests.filter((r) => isJudge(r.body)).length;

async function post(body: unknown, raw?: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${grader.url}v1/grade`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: raw ?? JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

before(async () => {
  server = await startFakeLlmServer({ script });
  delete process.env.OPENAI_API_KEY;
  delete process.env.OPENAI_BASE_URL;
  grader = await startGraderServer({
    grader: graderOptions(),
    port: 0,
    maxBodyBytes: 64 * 1024,
    log: (line) => logs.push(line),
  });
});
after(async () => {
  await grader?.close();
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

describe("serve --grader: POST /v1/grade", () => {
  test("scores what eval stored for the same sample and response", async () => {
    // A dataset of the spec's eval prompts (section ids) and one rubric-only line, in the Model Spec Evals shape.
    const records: JsonlRecord[] = evalPromptSamples(loadSpec(SPEC))
      .slice(0, 5)
      .map((s) => toJsonlRecord(s));
    records.push({
      id: "rubric-only",
      input: [
        { role: "developer", content: "Answer in one sentence." },
        { role: "user", content: "What is a haiku?" },
      ],
      target: "The response answers the question in one sentence.",
    });
    const dataset = join(work, "prompts.jsonl");
    writeFileSync(dataset, `${records.map((r) => JSON.stringify(r)).join("\n")}\n`);
    const summary = await evaluate({
      ...graderOptions(),
      model: "openai:candidate",
      baseUrl: `${server.url}/v1`,
      dataset,
    });
    assert.equal(summary.samples, records.length);

    const store = new Database(db, { readonly: true });
    const stored = store
      .prepare(
        `SELECT rs.sample_id AS id, c.text AS response, v.status, v.compliance, v.compliant FROM run_samples rs
           JOIN verdicts v USING (run_id, sample_id, epoch) JOIN completions c ON c.key = rs.completion_key`,
      )
      .all() as { id: string; response: string; status: string; compliance: number; compliant: number }[];
    store.close();
    assert.equal(stored.length, records.length);
    const compliances = new Set<number>();
    for (const row of stored) {
      const record = records.find((r) => r.id === row.id);
      assert.ok(record);
      const { status, json } = await post({
        messages: record.input,
        response: row.response,
        ...(record.metadata?.section_id ? { section_id: record.metadata.section_id } : {}),
        ...(record.target ? { rubric: record.target } : {}),
      });
      assert.equal(status, 200, JSON.stringify(json));
      assert.equal(row.status, "graded");
      assert.equal(json.compliance, row.compliance, row.id);
      assert.equal(json.score, (row.compliance - 1) / 6, row.id);
      assert.equal(json.verdict, row.compliant === 1 ? "compliant" : "non-compliant");
      assert.equal(json.failure_kind, row.compliance >= 6 ? "none" : "too-permissive");
      assert.deepEqual(json.relied_on_sections, ["be_creative"]);
      compliances.add(row.compliance);
    }
    assert.ok(compliances.size > 1, "the samples got different scores: the match is not a constant");
  });

  test("a repeated request is answered from the cache, also after a restart", async () => {
    const item = {
      messages: [{ role: "user", content: "Write a limerick about cats." }],
      response: "A cat with a hat… score-marker:5",
      section_id: "be_creative",
    };
    const before = judgeCalls(server.requests);
    const first = await post(item);
    assert.equal(first.json.compliance, 5);
    const calls = judgeCalls(server.requests);
    assert.ok(calls > before, "the first request asked the judge");
    const again = await post(item);
    assert.deepEqual(again.json, first.json);
    assert.equal(judgeCalls(server.requests), calls, "no judge call for a repeated request");

    await grader.close();
    grader = await startGraderServer({
      grader: graderOptions(),
      port: 0,
      maxBodyBytes: 64 * 1024,
      log: (line) => logs.push(line),
    });
    const restarted = await post(item);
    assert.deepEqual(restarted.json, first.json);
    assert.equal(judgeCalls(server.requests), calls, "the boundary token is kept in the database");
  });

  test("the same item twice at once asks the judge once", async () => {
    const item = (text: string) => ({
      messages: text,
      response: "Twice. score-marker:3",
      rubric: "Be brief.",
    });
    let calls = judgeCalls(server.requests);
    await post(item("Once"));
    const single = judgeCalls(server.requests) - calls;
    assert.ok(single > 0);
    calls = judgeCalls(server.requests);
    const { json } = await post({ items: [item("Twice"), item("Twice")] });
    assert.equal(judgeCalls(server.requests) - calls, single);
    const [a, b] = json.items as Record<string, unknown>[];
    assert.equal(a?.compliance, 3);
    assert.deepEqual(a, b);
  });

  test("a batch answers in order, a bad item as its own error", async () => {
    const item = (n: number) => ({
      messages: "Write me a short poem.",
      response: `Roses… score-marker:${n}`,
      section_id: "be_creative",
    });
    const { status, json } = await post({
      items: [item(7), { ...item(3), section_id: "no_such_section" }, item(2), { response: "x" }, item(6)],
    });
    assert.equal(status, 200);
    const items = json.items as Record<string, unknown>[];
    assert.equal(items.length, 5);
    assert.deepEqual(
      items.map((i) => i.compliance ?? null),
      [7, null, 2, null, 6],
    );
    assert.deepEqual(
      items.map((i) => i.verdict ?? null),
      ["compliant", null, "non-compliant", null, "compliant"],
    );
    assert.equal(items[1]?.error, "items[1]: section_id 'no_such_section': no such section in the spec");
    assert.match(String(items[3]?.error), /^items\[3\]: messages: /);
  });

  test("bad requests: 4xx with one clear message, never a stack", async () => {
    const cases: [unknown, string | undefined, number, RegExp][] = [
      [undefined, "{not json", 400, /^the request body is not valid JSON$/],
      [[1, 2], undefined, 400, /^the request body must be a JSON object/],
      [
        { messages: "hi", response: "x", section_id: "nope" },
        undefined,
        400,
        /^section_id 'nope': no such section in the spec$/,
      ],
      [{ messages: "hi", response: "x" }, undefined, 400, /^no section_id and no rubric/],
      [{ messages: "hi", response: "x", rubric: "r", extra: 1 }, undefined, 400, /^unknown field 'extra'$/],
      [{ items: [] }, undefined, 400, /^'items' must be a non-empty array/],
      [{ items: [1], rubric: "r" }, undefined, 400, /^a batch holds only 'items'/],
      [
        { messages: "hi", response: "x".repeat(70_000), rubric: "r" },
        undefined,
        413,
        /^request body over 65536 bytes$/,
      ],
    ];
    for (const [body, raw, expected, message] of cases) {
      const { status, json } = await post(body, raw);
      assert.equal(status, expected, JSON.stringify(json));
      assert.deepEqual(Object.keys(json), ["error"]);
      assert.match(String(json.error), message);
      assert.doesNotMatch(String(json.error), /\n|\bat \S+:\d+/);
    }
    const wrong = await fetch(`${grader.url}v1/grade`);
    assert.equal(wrong.status, 405);
    assert.match(((await wrong.json()) as { error: string }).error, /POST \/v1\/grade/);
    assert.equal((await fetch(`${grader.url}v1/chat/completions`, { method: "POST" })).status, 404);
  });

  test("healthz, and a log line per request without any text of it", async () => {
    const res = await fetch(`${grader.url}healthz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: "ok", judge: "openai:judge", spec: "2025-12-18" });
    assert.ok(logs.length > 5);
    for (const line of logs) {
      const entry = JSON.parse(line) as { path: string; status: number };
      assert.ok(entry.status >= 200);
      assert.doesNotMatch(line, /score-marker|limerick|poem/);
    }
  });
});

describe("serve --grader: bounded concurrency", () => {
  test("the judge's requests in flight never exceed --judge-concurrency", async () => {
    const slow = await startFakeLlmServer({ script, latencyMs: 40 });
    const bounded = await startGraderServer({
      grader: {
        spec: SPEC,
        judge: "openai:judge",
        judgeBaseUrl: `${slow.url}/v1`,
        graderSamples: 3,
        graderSamplesAll: true,
        judgeConcurrency: 2,
        db: join(work, "bounded.db"),
      },
      port: 0,
      log: () => {},
    });
    try {
      const items = Array.from({ length: 6 }, (_, i) => ({
        messages: `Prompt ${i}`,
        response: `Answer ${i} score-marker:${1 + i}`,
        section_id: "be_creative",
      }));
      const res = await fetch(`${bounded.url}v1/grade`, { method: "POST", body: JSON.stringify({ items }) });
      const json = (await res.json()) as { items: { compliance: number }[] };
      assert.deepEqual(
        json.items.map((i) => i.compliance),
        [1, 2, 3, 4, 5, 6],
      );
      // In flight on the server: from arrival to answer (at the same millisecond an answer comes first).
      const events = slow.requests
        .filter((r) => r.response)
        .flatMap((r) => [
          { at: r.at, step: 1 },
          { at: r.response?.at ?? 0, step: -1 },
        ])
        .sort((a, b) => a.at - b.at || a.step - b.step);
      let now = 0;
      let most = 0;
      for (const e of events) {
        now += e.step;
        most = Math.max(most, now);
      }
      assert.equal(slow.requests.length, 18);
      assert.ok(most <= 2, `at most 2 in flight, saw ${most}`);
      assert.ok(most >= 2, "the items were graded concurrently");
    } finally {
      await bounded.close();
      await slow.close();
    }
  });
});

describe("serve --grader: stopping", () => {
  test("a grade in flight when the server stops answers 503, never a score", async () => {
    const hanging = await startFakeLlmServer({ defaultReply: { hang: true } });
    const stopping = await startGraderServer({
      grader: {
        spec: SPEC,
        judge: "openai:judge",
        judgeBaseUrl: `${hanging.url}/v1`,
        db: join(work, "stop.db"),
      },
      port: 0,
      log: () => {},
    });
    try {
      const answer = fetch(`${stopping.url}v1/grade`, {
        method: "POST",
        body: JSON.stringify({ messages: "Hi", response: "Hello", section_id: "be_creative" }),
      });
      while (hanging.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      const closed = stopping.close();
      const res = await answer;
      assert.equal(res.status, 503);
      assert.deepEqual(await res.json(), { error: "the grader is stopping; send the request again" });
      await closed;
    } finally {
      await stopping.close();
      await hanging.close();
    }
  });
});
