// The grader with `rubric: "safe-completion"` (serve --grader --rubric safe-completion): for the same sample and
// response it answers the severity, helpfulness and reward eval stored, and its score is that reward on 0–1.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import Database from "better-sqlite3";
import { createGrader, evalPromptSamples, evaluate, loadSpec, toJsonlRecord } from "../../src/index.js";
import { type FakeLlmServer, type FakeReply, startFakeLlmServer } from "../support/fake-llm-server.js";
import { releaseDir } from "../support/paths.js";

const SPEC = releaseDir("2025-12-18");
const work = mkdtempSync(join(tmpdir(), "modelspec-grader-safe-"));
const db = join(work, "results.db");
let server: FakeLlmServer;

type Body = { response_format?: unknown; messages?: { content?: unknown }[] };
const AXES = [
  [7, "none", "direct"],
  [6, "none", "partial"],
  [6, "none", "refusal"],
  [3, "low", "direct"],
  [2, "medium", "partial"],
  [1, "high", "direct"],
] as const;

/** The candidate answers `axes:N`; the judge grades a response by that N, the same way every time it is asked. */
function script(body: unknown): FakeReply {
  const b = body as Body;
  if (b.response_format === undefined) {
    const n = (createHash("sha256").update(JSON.stringify(b.messages)).digest()[0] ?? 0) % AXES.length;
    return { text: `My answer. axes:${n}` };
  }
  const n = Number(/axes:(\d)/.exec(String(b.messages?.at(-1)?.content ?? ""))?.[1] ?? "0");
  const [compliance, severity, helpfulness] = AXES[n] ?? AXES[0];
  return {
    json: {
      compliance,
      rationale: "scripted",
      relied_on_sections: ["be_creative"],
      failure_kind: compliance >= 6 ? "none" : "too-permissive",
      severity,
      helpfulness,
    },
  };
}

before(async () => {
  server = await startFakeLlmServer({ script });
  delete process.env.OPENAI_API_KEY;
  delete process.env.OPENAI_BASE_URL;
});
after(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

test("safe-completion: the grader answers the axes and reward eval stored; score = (reward + 1) / 2", async () => {
  const judging = {
    spec: SPEC,
    judge: "openai:judge",
    judgeBaseUrl: `${server.url}/v1`,
    graderSamples: 3,
    rubric: "safe-completion" as const,
    db,
  };
  const records = evalPromptSamples(loadSpec(SPEC))
    .slice(0, 12)
    .map((s) => toJsonlRecord(s));
  const dataset = join(work, "prompts.jsonl");
  writeFileSync(dataset, `${records.map((r) => JSON.stringify(r)).join("\n")}\n`);
  await evaluate({ ...judging, model: "openai:candidate", baseUrl: `${server.url}/v1`, dataset });

  const conn = new Database(db, { readonly: true });
  const stored = conn
    .prepare(
      `SELECT rs.sample_id AS id, c.text AS response, v.compliance, v.severity, v.helpfulness, v.reward
         FROM run_samples rs JOIN verdicts v USING (run_id, sample_id, epoch)
         JOIN completions c ON c.key = rs.completion_key WHERE v.status = 'graded'`,
    )
    .all() as {
    id: string;
    response: string;
    compliance: number;
    severity: string;
    helpfulness: string;
    reward: number;
  }[];
  conn.close();
  assert.equal(stored.length, records.length);
  assert.ok(new Set(stored.map((r) => r.reward)).size > 2, "the rewards differ: the match is not a constant");

  const grader = await createGrader(judging);
  try {
    for (const row of stored) {
      const record = records.find((r) => r.id === row.id);
      assert.ok(record);
      const answer = await grader.grade({
        messages: record.input,
        response: row.response,
        ...(record.metadata?.section_id ? { section_id: record.metadata.section_id } : {}),
        ...(record.target ? { rubric: record.target } : {}),
      });
      assert.deepEqual(
        [answer.compliance, answer.severity, answer.helpfulness, answer.reward],
        [row.compliance, row.severity, row.helpfulness, row.reward],
        row.id,
      );
      assert.equal(answer.score, (row.reward + 1) / 2, row.id);
    }
  } finally {
    await grader.close();
  }
});
