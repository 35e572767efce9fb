// The viewer and the HTML report show what the judge's answers were: refusals apart from unparseable answers,
// the reason a sample is ungraded, and how many grader samples a verdict rests on.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { evaluate, type GenerateRequest, openResults, type Provider } from "../../src/index.js";
import { renderRunReportHtml, startViewer } from "../../src/viewer/index.js";
import { releaseDir } from "../support/paths.js";

const work = mkdtempSync(join(tmpdir(), "modelspec-viewer-answers-"));
after(() => rmSync(work, { recursive: true, force: true }));

const answer = JSON.stringify({
  compliance: 7,
  rationale: "fine",
  relied_on_sections: [],
  failure_kind: "none",
});
const last = (r: GenerateRequest) => r.messages.at(-1)?.content ?? "";

test("refused and unparseable answers, ungraded reasons and usable grader samples are shown", async () => {
  const db = join(work, "results.db");
  // Per prompt (by the candidate's answer): the first grader sample refuses, then one answer is usable and one is
  // not JSON — or, for prompts whose answer ends in an even digit, every grader sample refuses.
  const calls = new Map<string, number>();
  let prompt = 0;
  const candidate: Provider = {
    id: "test:candidate",
    async generate() {
      return { text: `answer ${prompt++}`, usage: { inputTokens: 1, outputTokens: 1 } };
    },
  };
  const judge: Provider = {
    id: "test:judge",
    async generate(request) {
      const response = /answer \d+/.exec(last(request))?.[0] ?? "";
      const call = calls.get(response) ?? 0;
      calls.set(response, call + 1);
      const allRefused = Number(response.at(-1)) % 2 === 0;
      if (allRefused || call === 0)
        return { text: "", refusal: "I cannot grade this.", usage: { inputTokens: 1, outputTokens: 1 } };
      return { text: call === 1 ? answer : "not json", usage: { inputTokens: 1, outputTokens: 1 } };
    },
  };
  const summary = await evaluate({
    spec: releaseDir("2025-12-18"),
    model: candidate,
    judge,
    section: ["avoid_errors"],
    graderSamples: 3,
    quorum: 1,
    judgeConcurrency: 1,
    concurrency: 1,
    db,
  });
  assert.ok(summary.ungradedKinds["judge:refused"] && summary.overall.graded > 0, JSON.stringify(summary));
  const results = openResults(db);
  try {
    const run = results.findRun(summary.runId);
    const report = renderRunReportHtml(results, run, summary);
    assert.match(report, /Ungraded by reason: <span class="mono">judge:refused<\/span> \d+/);
    assert.match(report, /Judge answers: \d+ usable, \d+ unparseable, \d+ refused/);
    assert.match(report, /graded sample\(s\) rest on fewer than all their grader samples/);
  } finally {
    results.close();
  }
  const viewer = await startViewer({ db, port: 0 });
  try {
    const page = async (path: string) => (await fetch(new URL(path, viewer.url))).text();
    const graded = (await (
      await fetch(new URL(`/api/samples?run=${summary.runId}&verdict=compliant`, viewer.url))
    ).json()) as {
      page: { rows: { sampleId: string }[] };
    };
    const id = graded.page.rows[0]?.sampleId;
    assert.ok(id);
    const sample = await page(`/runs/${summary.runId}/sample?id=${encodeURIComponent(id)}`);
    assert.match(sample, /usable grader samples<\/dt><dd>1 of 3/);
    assert.match(await page(`/runs/${summary.runId}`), /judge:refused/);
  } finally {
    await viewer.close();
  }
});
