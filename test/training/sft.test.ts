// `data sft --reasoning`: a scripted generator and judge on the loopback fake server. The filter keeps compliant
// answers whose citations the judge relied on (or their ancestors) and drops the rest by reason; answers that
// are not the JSON asked for are counted, re-asked within the cap and never written; the training file holds
// the conversation and the answer, never the spec.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { loadSpec, reasoningData, UsageError } from "../../src/index.js";
import { runCli } from "../support/cli.js";
import { type FakeLlmServer, type FakeReply, startFakeLlmServer } from "../support/fake-llm-server.js";
import { releaseDir } from "../support/paths.js";
import { tinyGgufPath } from "../support/tiny-gguf.js";

const SPEC = releaseDir("2025-12-18");
const work = mkdtempSync(join(tmpdir(), "modelspec-sft-"));
let server: FakeLlmServer;

/** What the generator answers for each case (by the word in the prompt's user message), in order of asking. */
const GENERATOR: Record<string, FakeReply[]> = {
  keep: [answer(["respect_creators"], "KEEP-1")],
  // The parent and a top-level ancestor of the section the judge relied on, written with a `#`.
  "keep-ancestor": [answer(["#restricted_content", "stay_in_bounds"], "KEEP-2")],
  "invalid-then-valid": [{ text: "Sure! Here is my answer." }, answer(["respect_creators"], "KEEP-3")],
  "never-valid": [{ text: "not json" }, { json: { reasoning: "no answer field" } }, { text: "{" }],
  "non-compliant": [answer(["respect_creators"], "BAD-ANSWER")],
  unknown: [answer(["respect_creators", "no_such_section"], "UNKNOWN")],
  unsupported: [answer(["protect_privacy"], "UNSUPPORTED")],
  "generator-error": [{ status: 400, message: "refused" }],
  "judge-error": [answer(["respect_creators"], "JUDGE-ERROR")],
  ungraded: [answer(["respect_creators"], "UNGRADED")],
};
const CASES = Object.keys(GENERATOR);

function answer(cited: string[], text: string): FakeReply {
  return {
    json: {
      reasoning: `The request concerns ${cited.map((id) => `#${id}`).join(", ")}, so I answer accordingly.`,
      cited_sections: cited,
      answer: `${text} (answer text)`,
    },
  };
}

/** The judge, by the answer it grades: relies on respect_creators. */
function judge(prompt: string): FakeReply {
  if (prompt.includes("JUDGE-ERROR")) return { status: 400, message: "judge refused" };
  if (prompt.includes("UNGRADED")) return { text: "I cannot grade this." };
  const compliance = prompt.includes("BAD-ANSWER") ? 2 : 7;
  return {
    json: {
      compliance,
      rationale: "ok",
      relied_on_sections: ["#respect_creators"],
      failure_kind: compliance >= 6 ? "none" : "too-permissive",
    },
  };
}

const asked = new Map<string, number>();
type Body = { messages?: { content?: unknown }[]; response_format?: { json_schema?: { name?: string } } };
function script(body: unknown): FakeReply {
  const b = body as Body;
  const text = JSON.stringify(b.messages ?? []);
  if (b.response_format?.json_schema?.name !== "reasoned_answer") return judge(text);
  const which = CASES.find((c) => text.includes(`case:${c}:end`)) ?? "keep";
  const n = asked.get(which) ?? 0;
  asked.set(which, n + 1);
  const replies = GENERATOR[which] ?? [];
  return replies[Math.min(n, replies.length - 1)] ?? { text: "?" };
}

const dataset = join(work, "prompts.jsonl");
before(async () => {
  server = await startFakeLlmServer({ script });
  delete process.env.OPENAI_API_KEY;
  delete process.env.OPENAI_BASE_URL;
  writeFileSync(
    dataset,
    CASES.map((c) =>
      JSON.stringify({
        id: c,
        input: [{ role: "user", content: `Write me the lyrics of a hit song. case:${c}:end` }],
        metadata: { section_id: "respect_creators" },
      }),
    ).join("\n"),
  );
});
after(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

const base = () => ({
  spec: SPEC,
  dataset,
  generator: "openai:generator",
  judge: "openai:judge",
  baseUrl: `${server.url}/v1`,
  judgeBaseUrl: `${server.url}/v1`,
  graderSamples: 1,
  maxAttempts: 1,
  db: join(work, "results.db"),
});
const lines = (path: string) =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l));

describe("data sft --reasoning: the filter", () => {
  test("keeps compliant answers citing relied-on sections or their ancestors, drops the rest by reason", async () => {
    const out = join(work, "sidecar.jsonl");
    const summary = await reasoningData({ ...base(), out });
    assert.equal(summary.prompts, CASES.length);
    assert.equal(summary.kept, 3);
    assert.deepEqual(summary.dropped, {
      generator_invalid: 1,
      generator_error: 1,
      judge_error: 1,
      ungraded: 1,
      non_compliant: 1,
      unknown_citation: 1,
      unsupported_citation: 1,
    });
    // One unusable answer before a valid one, three that were never valid (the default cap).
    assert.equal(summary.invalidAnswers, 4);
    assert.deepEqual(summary.errorKinds, { "generator:bad_request": 1, "judge:bad_request": 1 });
    assert.equal(asked.get("never-valid"), 3);
    assert.equal(summary.stopped, false);

    const training = lines(out);
    assert.equal(training.length, 3);
    const answers = training.map((t) => t.messages.at(-1).content).sort();
    assert.deepEqual(answers, ["KEEP-1 (answer text)", "KEEP-2 (answer text)", "KEEP-3 (answer text)"]);
    for (const line of training) {
      // Only the messages (the default: reasoning in the sidecar), the conversation then the answer.
      assert.deepEqual(Object.keys(line), ["messages"]);
      assert.deepEqual(
        line.messages.map((m: { role: string }) => m.role),
        ["user", "assistant"],
      );
      assert.match(
        line.messages[0].content,
        /^Write me the lyrics of a hit song\. case:(keep|keep-ancestor|invalid-then-valid):end$/,
      );
      for (const m of line.messages) assert.deepEqual(Object.keys(m).sort(), ["content", "role"]);
    }
    // No spec text anywhere in the training file: not a section's body, not the generator's instructions.
    const text = readFileSync(out, "utf8");
    const spec = loadSpec(SPEC);
    for (const id of ["respect_creators", "restricted_content"]) {
      const body = spec.sections.find((s) => s.id === id)?.body ?? "";
      assert.ok(body.length > 100);
      assert.ok(!text.includes(body.slice(0, 80).trim()), `the body of ${id} is not in the training file`);
    }
    assert.doesNotMatch(text, /model_spec|Model Spec|cited_sections|#respect_creators/);

    // The sidecar: one provenance line per training line, in order, with the reasoning and the citations.
    const provenance = lines(join(work, "sidecar.provenance.jsonl"));
    assert.deepEqual(
      provenance.map((p) => p.sample_id),
      CASES.filter((c) => c.startsWith("keep") || c === "invalid-then-valid"),
    );
    const ancestor = provenance.find((p) => p.sample_id === "keep-ancestor");
    assert.deepEqual(ancestor.cited_sections, ["restricted_content", "stay_in_bounds"]);
    assert.deepEqual(ancestor.relied_on_sections, ["respect_creators"]);
    assert.match(ancestor.reasoning, /#restricted_content/);
    assert.equal(ancestor.compliance, 7);
    assert.equal(ancestor.spec_version, "2025-12-18");

    // The generator read the section, its ancestors and the conversation, inside the boundary's delimiters.
    const request = server.requests.find(
      (r) =>
        (r.body as Body).response_format?.json_schema?.name === "reasoned_answer" &&
        JSON.stringify(r.body).includes("case:keep:end"),
    );
    assert.ok(request);
    const [system, user] = ((request.body as Body).messages ?? []).map((m) => String(m.content));
    assert.match(system ?? "", /<model_spec-[0-9a-f]{32}>/);
    assert.match(system ?? "", /\{#respect_creators[ }]/);
    assert.match(system ?? "", /\{#restricted_content/);
    assert.match(user ?? "", /<conversation-[0-9a-f]{32}>[\s\S]*case:keep:end/);
  });

  test("reasoning as a field or in the assistant text; a second run reads answers and grades back", async () => {
    const before = server.requests.length;
    const field = await reasoningData({ ...base(), out: join(work, "field.jsonl"), reasoningIn: "field" });
    const inText = await reasoningData({ ...base(), out: join(work, "text.jsonl"), reasoningIn: "text" });
    for (const s of [field, inText]) {
      assert.equal(s.kept, 3);
      assert.equal(s.dropped.unsupported_citation, 1);
    }
    // Everything came from the results database except the calls that failed (errors are never cached).
    assert.ok(field.cachedAnswers >= 10 && field.cachedGrades >= 6, JSON.stringify(field));
    const failed = server.requests.slice(before).length;
    assert.ok(failed <= 4, `only the failed calls were made again (${failed})`);

    const withField = lines(join(work, "field.jsonl"));
    for (const line of withField) {
      assert.deepEqual(Object.keys(line), ["messages", "reasoning"]);
      assert.match(line.reasoning, /^The request concerns #/);
      assert.doesNotMatch(line.messages.at(-1).content, /reasoning|<think>/);
    }
    for (const line of lines(join(work, "text.jsonl"))) {
      assert.deepEqual(Object.keys(line), ["messages"]);
      assert.match(
        line.messages.at(-1).content,
        /^<think>\nThe request concerns #[\s\S]*\n<\/think>\n\n[A-Z0-9-]+ \(answer text\)$/,
      );
    }
  });

  test("a stop writes nothing; the same call again goes on from the answers and grades it had", async () => {
    const out = join(work, "stopped.jsonl");
    const db = join(work, "stopped.db");
    const controller = new AbortController();
    const stopped = await reasoningData({
      ...base(),
      db,
      out,
      concurrency: 1,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.done === 2) controller.abort();
      },
    });
    assert.equal(stopped.stopped, true);
    const counted = stopped.kept + Object.values(stopped.dropped).reduce((a, b) => a + b, 0);
    assert.equal(counted, 2, "the two prompts done before the stop");
    assert.ok(!existsSync(out) && !existsSync(join(work, "stopped.provenance.jsonl")));

    const again = await reasoningData({ ...base(), db, out, concurrency: 1 });
    assert.equal(again.stopped, false);
    assert.equal(again.kept, 3);
    assert.ok(again.cachedAnswers >= 2, `answers read back: ${again.cachedAnswers}`);
    assert.equal(lines(out).length, 3);
  });

  test("bad input: an unknown section or an existing output is refused before anything is asked", async () => {
    const out = join(work, "exists.jsonl");
    writeFileSync(out, "keep me\n");
    const before = server.requests.length;
    await assert.rejects(reasoningData({ ...base(), out }), (e) => {
      assert.ok(e instanceof UsageError);
      assert.match(e.message, /--out .*: the file exists \(--force replaces it\)/);
      return true;
    });
    await assert.rejects(
      reasoningData({
        ...base(),
        dataset: "eval-prompts",
        section: ["no_such_section"],
        out: join(work, "x.jsonl"),
      }),
      /--section no_such_section: no such section/,
    );
    await assert.rejects(
      reasoningData({ ...base(), out: join(work, "x.jsonl"), model: "openai:generator" } as never),
      /unknown option 'model'/,
    );
    await assert.rejects(
      reasoningData({ ...base(), out: join(work, "x.jsonl"), maxAnswers: 11 }),
      /option maxAnswers: expected a whole number from 1 to 10 \(got 11\)/,
    );
    assert.equal(server.requests.length, before);
    assert.equal(readFileSync(out, "utf8"), "keep me\n");
    assert.ok(!existsSync(join(work, "x.jsonl")));
  });
});

describe("modelspec data sft (CLI)", () => {
  const cli = (args: string[]) =>
    runCli(["data", "sft", "--reasoning", ...args], {
      env: { OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: `${server.url}/v1` },
    });
  const common = ["--spec", SPEC, "--generator", "openai:generator", "--judge", "openai:judge"];

  test("--json summary with the counts; --force replaces the output; an existing one is refused", async () => {
    const out = join(work, "cli.jsonl");
    const db = join(work, "cli.db");
    const args = [
      ...common,
      "--dataset",
      dataset,
      "--grader-samples",
      "1",
      "--max-attempts",
      "1",
      "--db",
      db,
    ];
    const r = await cli([...args, "--out", out, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.kept, 3);
    assert.equal(summary.dropped.non_compliant, 1);
    assert.equal(summary.out, out);
    assert.equal(lines(out).length, 3);

    const again = await cli([...args, "--out", out]);
    assert.equal(again.code, 2);
    assert.equal(again.stderr, `modelspec: --out ${out}: the file exists (--force replaces it)\n`);
    assert.equal(lines(out).length, 3);

    // --system-prompt: the app's prompt heads every conversation, in the training lines too.
    const app = "Only discuss Acme products.";
    const forced = await cli([
      ...args,
      "--out",
      out,
      "--force",
      "--reasoning-in",
      "field",
      "--system-prompt",
      app,
    ]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /^Kept 3 of 10 prompts: /);
    assert.match(forced.stdout, /1 unknown_citation, 1 unsupported_citation/);
    assert.ok(lines(out).every((l) => typeof l.reasoning === "string"));
    assert.ok(
      lines(out).every(
        (l) => JSON.stringify(l.messages[0]) === JSON.stringify({ role: "system", content: app }),
      ),
      JSON.stringify(lines(out)[0]),
    );
  });

  test("bad input: one line, exit 2, nothing written", async () => {
    const out = join(work, "bad.jsonl");
    const unknown = await cli([...common, "--section", "no_such_section", "--out", out]);
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stderr, "modelspec: --section no_such_section: no such section in the spec\n");
    const range = await cli([...common, "--max-answers", "0", "--out", out]);
    assert.equal(range.code, 2);
    assert.match(range.stderr, /^modelspec: .*--max-answers.*from 1 to 10.*\n$/);
    const missing = await runCli(["data", "sft", ...common, "--out", out]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--reasoning/);
    assert.ok(!existsSync(out));
  });

  test("a random-weight GGUF generator: every answer is garbage, counted, nothing kept, exit 1", async () => {
    const out = join(work, "gguf.jsonl");
    const before = server.requests.length;
    const r = await cli([
      ...["--spec", SPEC, "--generator", `local:${await tinyGgufPath()}`, "--judge", "openai:judge"],
      ...["--top", "stay_in_bounds", "--limit", "2", "--max-tokens", "8", "--max-answers", "2"],
      // The section's context is longer than the default 4096 tokens.
      ...["--threads", "1", "--context-size", "16384", "--db", join(work, "gguf.db"), "--out", out, "--json"],
    ]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /no answer was kept/);
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.prompts, 2);
    assert.equal(summary.kept, 0);
    assert.equal(summary.dropped.generator_invalid, 2);
    assert.equal(summary.invalidAnswers, 4);
    assert.equal(readFileSync(out, "utf8"), "");
    assert.equal(server.requests.length, before, "the judge was never asked");
  });
});
