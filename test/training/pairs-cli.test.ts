// `modelspec data pairs` on graded runs, through the built CLI on the fake server: two evals (two models with two
// epochs at threshold 6, a third model at threshold 7) answer five prompts with scripted scores; pairs form only
// across each run's threshold with the margin, never from errors, ungraded samples or a text with itself; the
// training file validates and its provenance lines align. Then bad input: one line, exit 2, the file untouched.
import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { PreferencePairsSummary, ProvenanceLine } from "../../src/index.js";
import { runCli } from "../support/cli.js";
import { type FakeLlmServer, type FakeReply, startFakeLlmServer } from "../support/fake-llm-server.js";
import { DpoLine, jsonLines, TrlLine } from "../support/pair-formats.js";
import { releaseDir } from "../support/paths.js";

/** The provenance file beside a training file: `x.jsonl` → `x.provenance.jsonl`. */
const provenanceOf = (out: string) => out.replace(/\.jsonl$/, ".provenance.jsonl");

const SPEC = releaseDir("2025-12-18");
const work = mkdtempSync(join(tmpdir(), "modelspec-pairs-cli-"));
const db = join(work, "results.db");
let server: FakeLlmServer;

/**
 * What each model answers to each prompt, in order of asking (one answer per epoch). `score=n` is the judge's
 * grade of that text, `unjudgeable` is refused by the judge (ungraded), `error` a 400 (an error verdict).
 */
const ANSWERS: Record<string, Record<string, string[]>> = {
  // p1: compliant alpha 7, beta 6 (m1); non-compliant gamma 2, delta 5 (m2) and beta 6 (m3, threshold 7).
  // Margin ≥ 2: alpha×gamma, alpha×delta, beta×gamma; below: alpha×beta(m3), beta×delta; beta×beta identical.
  p1: { m1: ["score=7 alpha", "score=6 beta"], m2: ["score=2 gamma", "score=5 delta"], m3: ["score=6 beta"] },
  // p2: m1 errors; m2 answers the same text twice (one response); m3's zeta is compliant at 7: zeta×eps.
  p2: { m1: ["error", "error"], m2: ["score=1 eps", "score=1 eps"], m3: ["score=7 zeta"] },
  // p3: nothing compliant but the ungraded theta: no pair.
  p3: {
    m1: ["unjudgeable theta", "unjudgeable theta"],
    m2: ["score=2 eta", "score=2 eta"],
    m3: ["score=3 iota"],
  },
  // p4: everything compliant: no pair.
  p4: { m1: ["score=7 kappa", "score=7 lambda"], m2: ["score=7 mu", "score=7 mu"], m3: ["score=7 nu"] },
  // p5: a5 7, b5 6 × c5 1, d5 2, e5 1: six pairs, margins 6, 5, 6, 5, 4, 5.
  p5: { m1: ["score=7 a5", "score=6 b5"], m2: ["score=1 c5", "score=2 d5"], m3: ["score=1 e5"] },
};

type Body = { model?: string; messages?: { role: string; content: string }[]; response_format?: unknown };

function script(): (body: unknown) => FakeReply {
  const asked = new Map<string, number>();
  return (body) => {
    const b = body as Body;
    const text = JSON.stringify(b.messages);
    if (b.response_format === undefined) {
      const prompt = /Prompt (p\d)/.exec(text)?.[1] ?? "";
      const key = `${b.model}/${prompt}`;
      const k = asked.get(key) ?? 0;
      asked.set(key, k + 1);
      const answer = ANSWERS[prompt]?.[b.model ?? ""]?.[k];
      if (answer === undefined || answer === "error") return { status: 400, message: "not this one" };
      return { text: answer };
    }
    const response = /<candidate_response-[0-9a-f]+>\n([^<]*)/.exec(b.messages?.at(-1)?.content ?? "")?.[1];
    if (!response || response.includes("unjudgeable")) return { text: "I refuse to grade this." };
    const compliance = Number(/score=(\d)/.exec(response)?.[1]);
    return {
      json: {
        compliance,
        rationale: "ok",
        relied_on_sections: [],
        failure_kind: compliance >= 6 ? "none" : "other",
      },
    };
  };
}

const env = () => ({ OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: "sk-test-pairs" });

async function evaluate(models: string[], ...extra: string[]): Promise<void> {
  const result = await runCli(
    [
      "eval",
      "--spec",
      SPEC,
      "--dataset",
      join(work, "prompts.jsonl"),
      ...models.flatMap((m) => ["--model", `openai:${m}`]),
      "--judge",
      "openai:judge",
      "--grader-samples",
      "1",
      "--max-attempts",
      "1",
      // A loaded machine must not turn a scripted answer into a timeout (an error verdict).
      "--timeout",
      "600",
      "--db",
      db,
      "--no-progress",
      "--json",
      ...extra,
    ],
    { env: env() },
  );
  assert.ok([0, 1].includes(result.code), result.stderr);
}

const runIds: Record<string, string> = {};

before(async () => {
  server = await startFakeLlmServer({ script: script() });
  const prompt = (id: string, developer?: string) =>
    JSON.stringify({
      id,
      input: [
        ...(developer ? [{ role: "developer", content: developer }] : []),
        { role: "user", content: `Prompt ${id}: write me a short poem.` },
      ],
      metadata: { section_id: "be_creative" },
    });
  writeFileSync(
    join(work, "prompts.jsonl"),
    `${[prompt("p1", "Answer in English."), prompt("p2"), prompt("p3"), prompt("p4"), prompt("p5")].join("\n")}\n`,
  );
  await evaluate(["m1", "m2"], "--epochs", "2");
  await evaluate(["m3"], "--threshold", "7");
  const listed = await runCli(["runs", "--db", db, "--json"]);
  const graded: Record<string, [number, number]> = {};
  for (const run of JSON.parse(listed.stdout) as {
    id: string;
    model: string;
    graded: number;
    errors: number;
  }[]) {
    const model = run.model.replace(/^openai:/, "");
    runIds[model] = run.id;
    graded[model] = [run.graded, run.errors];
  }
  // Graded and errors per run, as scripted: m1's p2 errors and p3 ungraded, the rest graded.
  assert.deepEqual(graded, { m1: [6, 2], m2: [10, 0], m3: [5, 0] });
});
after(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

const runArgs = () => ["m1", "m2", "m3"].flatMap((m) => ["--run", runIds[m] as string]);

async function pairs(out: string, ...extra: string[]) {
  const result = await runCli(
    [
      "data",
      "pairs",
      "--no-examples",
      ...runArgs(),
      "--db",
      db,
      "--out",
      join(work, out),
      "--json",
      ...extra,
    ],
    { env: env() },
  );
  assert.equal(result.code, 0, result.stderr);
  const summary = JSON.parse(result.stdout) as PreferencePairsSummary;
  const lines = jsonLines(readFileSync(summary.out, "utf8"));
  const provenance = jsonLines(readFileSync(summary.provenance, "utf8")) as ProvenanceLine[];
  assert.equal(provenance.length, lines.length);
  for (const [i, p] of provenance.entries()) assert.equal(p.line, i + 1);
  return { summary, lines, provenance };
}

/** `chosen text > rejected text` of each provenance line, the first word after the score. */
function described(provenance: ProvenanceLine[], lines: unknown[]): string[] {
  return lines.map((line, i) => {
    const l = DpoLine.parse(line);
    const word = (content: string) => content.replace(/^score=\d /, "");
    const p = provenance[i];
    assert.equal(p?.source, "run");
    return `${p.sampleId}: ${word(l.preferred_output[0].content)} > ${word(l.non_preferred_output[0].content)}`;
  });
}

describe("data pairs from graded runs", () => {
  test("pairs form across each run's threshold with the margin, from several runs, models and epochs", async () => {
    const { summary, lines, provenance } = await pairs("runs.dpo.jsonl", "--format", "dpo");
    assert.deepEqual(described(provenance, lines).sort(), [
      "p1: alpha > delta",
      "p1: alpha > gamma",
      "p1: beta > gamma",
      "p2: zeta > eps",
      "p5: a5 > c5",
      "p5: a5 > d5",
      "p5: a5 > e5",
      "p5: b5 > c5",
      "p5: b5 > d5",
      "p5: b5 > e5",
    ]);
    assert.deepEqual(summary.counts.runs, {
      // m1 2×5 minus p2's two errors and p3's two ungraded; m2 2×5; m3 1×5.
      responses: 6 + 10 + 5,
      prompts: 3,
      pairs: 10,
      belowMargin: 2,
      identical: 1,
    });
    assert.deepEqual(summary.counts.examples, { prompts: 0, pairs: 0 });
    for (const [i, p] of provenance.entries()) {
      assert.equal(p.source, "run");
      if (p.source !== "run") continue;
      // Chosen at or above its run's threshold, rejected below its own, at least 2 points apart.
      assert.ok(p.chosen.compliance >= p.chosen.threshold, `line ${i + 1}`);
      assert.ok(p.rejected.compliance < p.rejected.threshold, `line ${i + 1}`);
      assert.equal(p.margin, p.chosen.compliance - p.rejected.compliance);
      assert.ok(p.margin >= 2);
      assert.equal(p.sectionId, "be_creative");
      assert.equal(p.chosen.specVersion, "2025-12-18");
      assert.ok(Object.values(runIds).includes(p.chosen.runId));
      assert.ok([1, 2].includes(p.chosen.epoch));
    }
    const zeta = provenance.find((p) => p.sampleId === "p2");
    assert.ok(zeta?.source === "run");
    assert.deepEqual(
      [zeta.chosen.runId, zeta.chosen.threshold, zeta.chosen.model],
      [runIds.m3, 7, "openai:m3"],
    );
    // The prompt is the stored conversation, its developer message a system message.
    const p1 = lines.map((l) => DpoLine.parse(l)).find((l) => JSON.stringify(l).includes("Prompt p1"));
    assert.deepEqual(p1?.input.messages, [
      { role: "system", content: "Developer message:\nAnswer in English." },
      { role: "user", content: "Prompt p1: write me a short poem." },
    ]);
    const all = JSON.stringify(lines);
    assert.doesNotMatch(all, /unjudgeable|kappa|iota/, "no ungraded or all-compliant prompt's response");
  });

  test("--min-margin 0 keeps the close ones, never a text with itself; --max-pairs-per-prompt keeps the widest", async () => {
    const close = await pairs("close.trl.jsonl", "--format", "trl", "--min-margin", "0");
    for (const line of close.lines) TrlLine.parse(line);
    assert.equal(close.summary.counts.runs.pairs, 12);
    assert.equal(close.summary.counts.runs.identical, 1);
    assert.equal(close.summary.counts.runs.belowMargin, 0);
    for (const line of close.lines) {
      const l = TrlLine.parse(line);
      assert.notEqual(l.chosen[0].content, l.rejected[0].content);
    }

    const capped = await pairs("capped.dpo.jsonl", "--format", "dpo", "--max-pairs-per-prompt", "2");
    // The widest margins (p1: 5 and 4 of 5, 4, 2; p5: the two 6s of six), prompts in order of sample id.
    assert.deepEqual(described(capped.provenance, capped.lines).sort(), [
      "p1: alpha > gamma",
      "p1: beta > gamma",
      "p2: zeta > eps",
      "p5: a5 > c5",
      "p5: a5 > e5",
    ]);
    assert.equal(capped.summary.counts.capped, 1 + 4);
  });

  test("with the spec's examples too: both sources in one file, the human summary in one line", async () => {
    const out = join(work, "both.jsonl");
    const result = await runCli(
      ["data", "pairs", "--spec", SPEC, ...runArgs(), "--db", db, "--format", "trl", "--out", out],
      { env: env() },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim().split("\n").length, 1);
    assert.match(
      result.stdout,
      /^209 preference pairs \(trl\) → .*both\.jsonl: 199 from 160 spec example prompts, 10 from 3 run prompts/,
    );
    const sources = (jsonLines(readFileSync(provenanceOf(out), "utf8")) as ProvenanceLine[]).map(
      (p) => p.source,
    );
    assert.equal(sources.filter((s) => s === "spec-example").length, 199);
    assert.equal(sources.filter((s) => s === "run").length, 10);
  });
});

describe("data pairs: bad input is one line, exit 2, the output untouched", () => {
  const out = join(work, "keep.jsonl");
  const check = async (args: string[], message: RegExp) => {
    writeFileSync(out, "keep\n");
    rmSync(provenanceOf(out), { force: true });
    const result = await runCli(["data", "pairs", ...args], { env: env(), cwd: work });
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stdout, "");
    assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
    assert.match(result.stderr, /^modelspec: /);
    assert.match(result.stderr, message);
    assert.equal(readFileSync(out, "utf8"), "keep\n");
    assert.equal(existsSync(provenanceOf(out)), false);
    assert.deepEqual(
      readdirSync(work).filter((f) => f.endsWith(".tmp")),
      [],
    );
  };

  test("an existing --out without --force", async () => {
    await check(
      ["--spec", SPEC, "--format", "dpo", "--out", out],
      /keep\.jsonl: the file exists \(--force replaces it\)/,
    );
  });
  test("an unknown run", async () => {
    await check(
      ["--run", "nosuchrun", "--db", db, "--format", "dpo", "--out", out, "--force"],
      /no run 'nosuchrun'/,
    );
  });
  test("a run with no graded samples", async () => {
    // A model the fake server never answers: every sample an error.
    await evaluate(["silent"]);
    const listed = JSON.parse((await runCli(["runs", "--db", db, "--json"])).stdout) as {
      id: string;
      model: string;
    }[];
    const silent = listed.find((r) => r.model === "openai:silent")?.id ?? "";
    await check(
      ["--run", silent, "--run", runIds.m1 as string, "--db", db, "--format", "trl", "--out", out, "--force"],
      new RegExp(`run ${silent} has no graded samples`),
    );
  });
  test("an unknown format", async () => {
    await check(
      ["--spec", SPEC, "--format", "csv", "--out", out, "--force"],
      /'--format <format>' argument 'csv' is invalid/,
    );
  });
  test("a spec that does not load", async () => {
    const empty = join(work, "empty-spec");
    mkdirSync(empty, { recursive: true });
    await check(["--spec", empty, "--format", "dpo", "--out", out, "--force"], /model_spec\.md: not found/);
  });
  test("a margin or cap outside its range", async () => {
    await check(
      ["--spec", SPEC, "--format", "dpo", "--out", out, "--force", "--min-margin", "9"],
      /--min-margin.*expected a number from 0 to 6/,
    );
    await check(
      ["--spec", SPEC, "--format", "dpo", "--out", out, "--force", "--max-pairs-per-prompt", "0"],
      /--max-pairs-per-prompt.*expected a whole number from 1 to 1,000,000/,
    );
  });
  test("no database", async () => {
    await check(
      ["--run", "latest", "--db", join(work, "none.db"), "--format", "dpo", "--out", out, "--force"],
      /none\.db: cannot open results database/,
    );
  });
});
