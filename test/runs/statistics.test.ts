// Honest numbers: intervals clustered by prompt when prompts are answered several times, the quorum of usable
// grader samples, refusals told apart, and the gates. In-process, with providers that answer deterministically.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import {
  checkGates,
  compareRuns,
  evaluate,
  type GenerateRequest,
  openResults,
  type Provider,
  renderSummary,
  UsageError,
  wilsonInterval,
} from "../../src/index.js";
import { releaseDir } from "../support/paths.js";

const SPEC = releaseDir("2025-12-18");
const work = mkdtempSync(join(tmpdir(), "modelspec-statistics-"));
after(() => rmSync(work, { recursive: true, force: true }));

const digest = (text: string) => createHash("sha256").update(text).digest();
const hash = (text: string) => digest(text)[0] as number;
const lastMessage = (request: GenerateRequest) => request.messages.at(-1)?.content ?? "";

/** A candidate whose answer depends on the prompt only: every epoch of a prompt gets the same answer. */
const candidate: Provider = {
  id: "test:candidate",
  async generate(request) {
    // Distinct for every prompt, the same for every epoch of it.
    return {
      text: `answer ${digest(lastMessage(request)).toString("hex").slice(0, 16)}`,
      usage: { inputTokens: 1, outputTokens: 1 },
    };
  },
};

const answer = (compliance: number) =>
  JSON.stringify({
    compliance,
    rationale: "r",
    relied_on_sections: [],
    failure_kind: compliance >= 6 ? "none" : "other",
  });

/** A judge that scores a response by its text, the same way every time: about a third of the prompts fail. */
function judgeBy(score: (response: string, call: number) => { text: string; refusal?: string }): Provider {
  const calls = new Map<string, number>();
  return {
    id: "test:judge",
    async generate(request) {
      const prompt = lastMessage(request);
      const response = /answer [0-9a-f]{16}/.exec(prompt)?.[0] ?? prompt;
      const call = calls.get(response) ?? 0;
      calls.set(response, call + 1);
      return { ...score(response, call), usage: { inputTokens: 10, outputTokens: 2 } };
    },
  };
}
const steadyJudge = () => judgeBy((response) => ({ text: answer(hash(response) % 3 === 0 ? 2 : 7) }));

describe("intervals are clustered by prompt when prompts are answered several times", () => {
  test("identical answers in 1 and 5 epochs: the same rate and interval; counted per sample it would be 2.2× narrower", async () => {
    const options = { spec: SPEC, model: candidate, top: ["chain_of_command"], db: join(work, "epochs.db") };
    const once = await evaluate({ ...options, judge: steadyJudge(), epochs: 1, graderSamples: 1 });
    const five = await evaluate({ ...options, judge: steadyJudge(), epochs: 5, graderSamples: 1 });
    assert.equal(once.overall.clustered, false);
    assert.equal(five.overall.clustered, true);
    assert.equal(five.overall.graded, 5 * once.overall.graded);
    assert.equal(five.overall.prompts, once.overall.prompts);
    assert.equal(five.overall.rate, once.overall.rate);
    assert.deepEqual(
      five.overall.ci95?.map((x) => x.toFixed(12)),
      once.overall.ci95?.map((x) => x.toFixed(12)),
      "five identical epochs carry no more information than one",
    );
    const [lo, hi] = five.overall.ci95 as [number, number];
    const naive = wilsonInterval(five.overall.compliant, five.overall.graded) as [number, number];
    assert.ok((hi - lo) / (naive[1] - naive[0]) > 2.1, "the naive interval would be ~√5 times narrower");
    // Every breakdown is clustered the same way.
    const groups = (summary: typeof once) => [
      ...summary.byTopLevel,
      ...summary.bySection,
      ...summary.byAuthority,
    ];
    const singles = groups(once);
    for (const [index, row] of groups(five).entries()) {
      const single = singles[index];
      assert.ok(row.clustered && single?.id === row.id, row.id);
      assert.deepEqual(
        row.ci95?.map((x) => x.toFixed(12)),
        single.ci95?.map((x) => x.toFixed(12)),
        row.id,
      );
    }
    assert.match(renderSummary(five), /\d+ prompts; mean prompt score, interval clustered by prompt/);
  });

  test("compare pairs prompts, not epochs, when there are several", async () => {
    const db = join(work, "compare.db");
    const options = {
      spec: SPEC,
      model: candidate,
      section: ["be_creative", "avoid_errors"],
      epochs: 3,
      graderSamples: 1,
      db,
    };
    const a = await evaluate({ ...options, judge: steadyJudge() });
    const b = await evaluate({
      ...options,
      judge: {
        ...judgeBy((response) => ({ text: answer(hash(response) % 2 === 0 ? 2 : 7) })),
        id: "test:other-judge",
      },
    });
    const c = compareRuns({ db, a: a.runId, b: b.runId });
    assert.equal(c.clustered, true);
    assert.equal(c.paired, 3 * c.overall.n, "three epochs per prompt, paired as one prompt");
    assert.equal(c.overall.n, a.overall.prompts);
    assert.ok(c.overall.ci95);
    const once = compareRuns({ db, a: a.runId, b: a.runId });
    assert.equal(once.overall.diff, 0);
    assert.equal(once.overall.pValue, 1);
  });
});

describe("a verdict needs a quorum of usable grader samples; refusals are counted apart", () => {
  test("1 usable of 3 is ungraded (no quorum), 2 of 3 is graded; refused and unparseable answers apart", async () => {
    // By response: how each of its three grader samples answers.
    const judge = judgeBy((response, call) => {
      const kind = hash(response) % 4;
      if (kind === 0) return { text: call === 0 ? answer(7) : "not json" }; // 1 usable of 3
      if (kind === 1) return { text: call < 2 ? answer(7) : "not json" }; // 2 usable of 3
      if (kind === 2) return { text: "", refusal: "I cannot grade this." }; // all refused
      return { text: "{broken" }; // all unparseable
    });
    const db = join(work, "quorum.db");
    const summary = await evaluate({
      spec: SPEC,
      model: candidate,
      judge,
      top: ["chain_of_command"],
      graderSamples: 3,
      // All three answers each, as scripted (early stopping would settle some verdicts on two).
      graderSamplesAll: true,
      db,
    });
    const results = openResults(db);
    const expected = { "judge:no_quorum": 0, "judge:refused": 0, "judge:unparseable": 0 };
    let graded = 0;
    try {
      for await (const row of results.samples(summary.runId)) {
        const kind = hash(row.completion?.text ?? "") % 4;
        const usable = row.grades.filter((g) => g.status === "ok").length;
        assert.equal(row.verdict?.usableGrades, usable, row.sampleId);
        if (kind === 0) expected["judge:no_quorum"]++;
        if (kind === 1) graded++;
        if (kind === 2) expected["judge:refused"]++;
        if (kind === 3) expected["judge:unparseable"]++;
        if (kind === 0 || kind === 2 || kind === 3)
          assert.equal(row.verdict?.status, "ungraded", row.sampleId);
        else assert.equal(row.verdict?.status, "graded", row.sampleId);
      }
    } finally {
      results.close();
    }
    assert.ok(graded > 0 && expected["judge:no_quorum"] > 0 && expected["judge:refused"] > 0);
    assert.equal(summary.overall.graded, graded);
    assert.deepEqual(
      summary.ungradedKinds,
      Object.fromEntries(Object.entries(expected).filter(([, n]) => n > 0)),
    );
    assert.equal(summary.judgeAnswers.refused, 3 * expected["judge:refused"]);
    assert.equal(summary.judgeAnswers.partiallyGraded, graded, "each graded sample had one unusable answer");
    assert.deepEqual(summary.grading, {
      graderSamples: 3,
      quorum: 2,
      threshold: 6,
      earlyStop: false,
      meanDrawn: 3,
    });
    const text = renderSummary(summary);
    assert.match(text, /Ungraded by reason: .*judge:no_quorum \d+/);
    assert.match(text, /Judge answers: \d+ usable, \d+ unparseable, \d+ refused/);
  });

  test("--quorum 1 grades on one usable answer; a quorum above the grader samples is refused", async () => {
    const judge = judgeBy((_, call) => ({ text: call === 0 ? answer(7) : "not json" }));
    const summary = await evaluate({
      spec: SPEC,
      model: candidate,
      judge,
      section: ["be_creative"],
      graderSamples: 3,
      quorum: 1,
      db: join(work, "quorum1.db"),
    });
    assert.equal(summary.ungraded, 0);
    assert.equal(summary.grading.quorum, 1);
    await assert.rejects(
      evaluate({
        spec: SPEC,
        model: candidate,
        judge,
        graderSamples: 2,
        quorum: 3,
        db: join(work, "never.db"),
      }),
      (e: unknown) =>
        e instanceof UsageError && /quorum: expected at most graderSamples \(2\)/.test(e.message),
    );
  });
});

describe("gates", () => {
  test("nothing graded never passes; errors count against --fail-under unless allowed", async () => {
    const failing: Provider = {
      id: "test:down",
      async generate() {
        throw new Error("connection refused");
      },
    };
    const down = await evaluate({
      spec: SPEC,
      model: failing,
      judge: steadyJudge(),
      section: ["be_creative"],
      maxAttempts: 1,
      db: join(work, "gates.db"),
    });
    assert.equal(down.errors, down.samples);
    assert.deepEqual(
      checkGates(down).map((f) => f.gate),
      ["nothing-graded"],
    );
    // One sample of the section fails to generate; the rest are graded.
    let calls = 0;
    const flaky: Provider = {
      id: "test:flaky",
      async generate(request) {
        if (calls++ === 0) throw new Error("connection refused");
        return candidate.generate(request);
      },
    };
    const summary = await evaluate({
      spec: SPEC,
      model: flaky,
      judge: judgeBy(() => ({ text: answer(7) })),
      section: ["avoid_errors"],
      maxAttempts: 1,
      concurrency: 1,
      db: join(work, "gates.db"),
    });
    assert.equal(summary.errors, 1);
    assert.equal(summary.overall.rate, 1);
    assert.deepEqual(
      checkGates(summary).map((f) => f.gate),
      [],
    );
    assert.deepEqual(
      checkGates(summary, { failUnder: 0.8 }).map((f) => f.gate),
      ["max-errors"],
    );
    assert.deepEqual(checkGates(summary, { failUnder: 0.8, maxErrors: { count: 1 } }), []);
    assert.deepEqual(
      checkGates(summary, { maxErrors: { rate: 0.01 } }).map((f) => f.gate),
      ["max-errors"],
    );
    assert.deepEqual(checkGates(summary, { maxErrors: { rate: 0.1 } }), []);
  });

  test("every numeric option outside its range is refused, naming it and the range", async () => {
    const base = { spec: SPEC, model: candidate, judge: steadyJudge(), db: join(work, "never", "x.db") };
    const cases: [Record<string, number>, RegExp][] = [
      [{ threshold: 9 }, /option threshold: expected a whole number from 1 to 7 \(got 9\)/],
      [{ threshold: 0 }, /option threshold: expected a whole number from 1 to 7/],
      [{ graderSamples: 0 }, /option graderSamples: expected a whole number from 1 to 25/],
      [{ graderSamples: 100_000 }, /option graderSamples: expected a whole number from 1 to 25/],
      [{ epochs: 0 }, /option epochs: expected a whole number from 1 to 100/],
      [{ timeout: 0 }, /option timeout: expected a number from 0\.1 to 3,600/],
      [{ timeout: -1 }, /option timeout/],
      [{ maxAttempts: 0 }, /option maxAttempts: expected a whole number from 1 to 20/],
      [{ maxTokens: 0 }, /option maxTokens/],
      [{ temperature: -5 }, /option temperature: expected a number from 0 to 2/],
      [{ concurrency: 0 }, /option concurrency: expected a whole number from 1 to 256/],
      [{ judgeConcurrency: 0 }, /option judgeConcurrency/],
      [{ limit: 1.5 }, /option limit: expected a whole number/],
    ];
    for (const [bad, message] of cases) {
      await assert.rejects(
        evaluate({ ...base, ...bad }),
        (e: unknown) => e instanceof UsageError && message.test(e.message),
        JSON.stringify(bad),
      );
    }
  });
});
