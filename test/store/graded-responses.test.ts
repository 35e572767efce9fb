// The graded responses of several runs, as preference pairs read them: every run paged along its primary key and
// merged by sample id (one prompt's responses together, the runs in the order given), whatever the page size;
// errors, ungraded samples and samples without a verdict left out.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { textMessage } from "../../src/conversation/index.js";
import type { Sample } from "../../src/dataset/index.js";
import { ResultStore } from "../../src/store/index.js";

const work = mkdtempSync(join(tmpdir(), "modelspec-graded-"));
after(() => rmSync(work, { recursive: true, force: true }));

const sample = (id: string): Sample => ({
  id,
  input: [textMessage("user", `prompt ${id}`)],
  target: null,
  sectionId: "be_creative",
  topLevelSectionId: null,
  authority: null,
  focusId: null,
  references: [],
});

/** A run whose samples (ids in `ids`, two epochs) get the verdict `verdict(id, epoch)`. */
function addRun(
  store: ResultStore,
  runId: string,
  ids: string[],
  verdict: (id: string, epoch: number) => "compliant" | "failed" | "ungraded" | "error" | "pending",
): void {
  store.startRun({
    id: runId,
    toolVersion: "test",
    specVersion: null,
    specHash: "h",
    dataset: "d",
    model: runId,
    judge: "j",
    parentRunId: null,
    params: {},
  });
  store.addSamples(runId, ids.map(sample), 2);
  for (const id of ids) {
    for (const epoch of [1, 2]) {
      const kind = verdict(id, epoch);
      if (kind === "pending") continue;
      const key = `${runId}/${id}/${epoch}`;
      if (kind === "error") {
        store.setSampleCompletion(runId, id, epoch, { errorKind: "http_400", errorMessage: "no" });
        store.putVerdict(runId, id, epoch, {
          status: "error",
          compliance: null,
          compliant: null,
          gradeKeys: [],
          usableGrades: null,
          errorKind: "http_400",
          errorMessage: "no",
        });
        continue;
      }
      store.putCompletion({
        key,
        provider: "p",
        text: `answer ${key}`,
        inputTokens: 1,
        outputTokens: 1,
        cachedTokens: null,
        finishReason: "stop",
        refusal: null,
      });
      store.setSampleCompletion(runId, id, epoch, { key });
      const graded = kind !== "ungraded";
      store.putVerdict(runId, id, epoch, {
        status: graded ? "graded" : "ungraded",
        compliance: graded ? (kind === "compliant" ? 7 : 2) : null,
        compliant: graded ? kind === "compliant" : null,
        gradeKeys: [],
        usableGrades: graded ? 1 : 0,
        errorKind: graded ? null : "judge:refused",
        errorMessage: null,
      });
    }
  }
}

describe("ResultStore.gradedResponses", () => {
  const store = ResultStore.open(join(work, "results.db"));
  after(() => store.close());
  // Ids whose order differs by code point from JavaScript's: "\u{1F600}" (UTF-16 surrogates) sorts after "\uFB01".
  const ids = ["a", "b", "c", "d", "e", "\uFB01", "\u{1F600}"];
  addRun(store, "run-y", ids, (id, epoch) =>
    id === "b" ? "error" : id === "c" && epoch === 2 ? "ungraded" : "compliant",
  );
  addRun(store, "run-x", ids, (id, epoch) => (id === "d" ? "pending" : epoch === 1 ? "failed" : "compliant"));

  const expected = [
    ...ids.flatMap((id) => [
      ...[1, 2].flatMap((epoch) =>
        id === "b" || (id === "c" && epoch === 2) ? [] : [`${id} run-y ${epoch}`],
      ),
      ...(id === "d" ? [] : [`${id} run-x 1`, `${id} run-x 2`]),
    ]),
  ];

  for (const pageSize of [1, 2, 3, 500]) {
    test(`by sample id, then the runs in the order given, then epoch (pages of ${pageSize})`, () => {
      const rows = [...store.gradedResponses(["run-y", "run-x"], pageSize)];
      assert.deepEqual(
        rows.map((r) => `${r.sampleId} ${r.runId} ${r.epoch}`),
        expected,
      );
      const first = rows[0];
      assert.deepEqual(first?.input, sample("a").input);
      assert.equal(first?.response, "answer run-y/a/1");
      assert.equal(first?.compliant, true);
      assert.equal(rows.find((r) => r.runId === "run-x" && r.epoch === 1)?.compliance, 2);
    });
  }

  test("only the runs named", () => {
    const rows = [...store.gradedResponses(["run-x"])];
    assert.ok(rows.length > 0 && rows.every((r) => r.runId === "run-x"));
    assert.deepEqual([...store.gradedResponses([])], []);
  });
});
