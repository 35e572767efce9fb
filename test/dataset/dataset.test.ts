import assert from "node:assert/strict";
import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import {
  evalPromptSamples,
  exampleSamples,
  readJsonlDataset,
  selectSamples,
  toJsonlRecord,
} from "../../src/dataset/index.js";
import { compileSpecDir } from "../../src/spec/index.js";
import { releaseDir } from "../support/paths.js";

const { model } = compileSpecDir({ dir: releaseDir("2025-12-18"), version: null });
const dir = mkdtempSync(join(tmpdir(), "modelspec-dataset-"));

describe("datasets from the spec", () => {
  test("eval prompts: one sample each, stable ids, linked to the citing section", () => {
    const samples = evalPromptSamples(model);
    assert.equal(samples.length, 272);
    assert.equal(new Set(samples.map((s) => s.id)).size, 272);
    const poem = samples.find((s) => s.id === "prompt:0dh6/1");
    assert.deepEqual(
      [poem?.sectionId, poem?.topLevelSectionId, poem?.authority, poem?.focusId],
      ["be_creative", "best_work", "guideline", "0dh6"],
    );
  });

  test("examples: one sample per comparison; earlier comparisons continue with the GOOD answer", () => {
    const samples = exampleSamples(model);
    assert.equal(samples.length, 189);
    const second = samples.find((s) => s.id === "example:protect_privacy/1#2");
    assert.ok(second, "the mayor example's second comparison");
    assert.deepEqual(
      second.input.map((m) => m.role),
      ["user", "assistant", "user"],
    );
    assert.match(second.input[1]?.content ?? "", /^Office of the Mayor/);
    assert.deepEqual(
      second.references.map((r) => r.label),
      ["GOOD"],
    );
    const first = samples.find((s) => s.id === "example:protect_privacy/1#1");
    assert.deepEqual(
      first?.references.map((r) => r.label),
      ["BAD", "GOOD"],
    );
  });

  test("filters by section, top-level section, authority (platform = root) and tag; seeded subsets repeat", () => {
    const all = evalPromptSamples(model);
    assert.ok(selectSamples(all, { authority: ["root"] }, model).every((s) => s.authority === "root"));
    assert.ok(
      selectSamples(all, { topLevel: ["seek_truth"] }, model).every(
        (s) => s.topLevelSectionId === "seek_truth",
      ),
    );
    const seeded = (seed: number) => selectSamples(all, { limit: 5, seed }, model).map((s) => s.id);
    assert.deepEqual(seeded(7), seeded(7));
    assert.notDeepEqual(seeded(7), seeded(8));
    assert.deepEqual(
      selectSamples(all, { limit: 2 }, model).map((s) => s.id),
      ["prompt:092i/1", "prompt:092i/2"],
    );
    const old = compileSpecDir({ dir: releaseDir("2025-02-12"), version: null }).model;
    const rootOld = selectSamples(evalPromptSamples(old), { authority: ["root"] }, old);
    assert.ok(rootOld.length > 0 && rootOld.every((s) => s.authority === "platform"));
  });

  test("JSONL in the Model Spec Evals shape round-trips; a bad line is refused by number", () => {
    const path = join(dir, "ok.jsonl");
    const records = evalPromptSamples(model).slice(0, 3).map(toJsonlRecord);
    writeFileSync(path, `${records.map((r) => JSON.stringify(r)).join("\n")}\n\n`);
    const back = readJsonlDataset(path, model);
    assert.deepEqual(
      back.map((s) => [s.id, s.sectionId, s.input[0]?.role]),
      records.map((r) => [r.id, (r.metadata as { section_id: string }).section_id, "user"]),
    );
    // Every eval prompt, as `spec export --jsonl eval-prompts` writes them: the same samples read back, message
    // attributes (a tool call's recipient, a tool's name) included.
    const all = evalPromptSamples(model);
    writeFileSync(path, `${all.map((s) => JSON.stringify(toJsonlRecord(s))).join("\n")}\n`);
    assert.deepEqual(readJsonlDataset(path, model), all);
    assert.ok(all.some((s) => s.input.some((m) => m.attributes?.recipient)));

    const string = join(dir, "string.jsonl");
    writeFileSync(
      string,
      `${JSON.stringify({ id: 1, input: "hi", target: "rubric", metadata: { section_id: "do_not_lie" } })}\n`,
    );
    const [s] = readJsonlDataset(string, model);
    assert.deepEqual(
      [s?.id, s?.target, s?.authority, s?.topLevelSectionId],
      ["1", "rubric", "user", "seek_truth"],
    );

    const bad = join(dir, "bad.jsonl");
    const rubric = (id: string, input: string) => JSON.stringify({ id, input, target: "rubric" });
    writeFileSync(bad, `${rubric("a", "x")}\n${rubric("a", "y")}\n`);
    assert.throws(() => readJsonlDataset(bad, model), { message: `${bad}:2: duplicate id 'a'` });
    writeFileSync(bad, `${rubric("a", "x")}\n{oops\n`);
    assert.throws(() => readJsonlDataset(bad, model), { message: `${bad}:2: not valid JSON` });
  });

  test("JSONL: a section the spec does not have, or neither a section nor a rubric, refuses the dataset by line", () => {
    const path = join(dir, "sections.jsonl");
    const write = (...records: unknown[]) =>
      writeFileSync(path, `${records.map((r) => JSON.stringify(r)).join("\n")}\n`);
    const known = { id: "a", input: "hi", metadata: { section_id: "do_not_lie" } };
    const rubricOnly = { id: "b", input: "hi", target: "Answers in French." };

    // A section id from another spec version (or a typo) would be graded with no section and reported under a
    // section this spec does not have.
    write(known, rubricOnly, { id: "c", input: "hi", metadata: { section_id: "do_not_lye" } });
    assert.throws(() => readJsonlDataset(path, model), {
      name: "DatasetError",
      message: `${path}:3: metadata.section_id 'do_not_lye': no such section in the spec`,
    });
    // Even with a rubric: the sample would still be counted under that section.
    write(known, { ...rubricOnly, metadata: { section_id: "do_not_lye" } });
    assert.throws(() => readJsonlDataset(path, model), {
      message: /^.*:2: metadata\.section_id 'do_not_lye'/,
    });

    // No section and no rubric: the judge would have nothing to grade against.
    const refused = `${path}:2: no metadata.section_id and no target: the judge needs a section or a rubric to grade against`;
    for (const record of [
      { id: "c", input: "hi" },
      { id: "c", input: "hi", metadata: null },
      { id: "c", input: "hi", metadata: { top_level_section: "seek_truth" } },
      { id: "c", input: "hi", target: "  ", metadata: { section_id: "" } },
    ]) {
      write(known, record);
      assert.throws(() => readJsonlDataset(path, model), { name: "DatasetError", message: refused });
      // Without a spec the section cannot be checked, but a record with nothing to grade against still can.
      assert.throws(() => readJsonlDataset(path, null), { message: refused });
    }

    write(known, rubricOnly);
    assert.deepEqual(
      readJsonlDataset(path, model).map((s) => [s.id, s.sectionId, s.target]),
      [
        ["a", "do_not_lie", null],
        ["b", null, "Answers in French."],
      ],
    );
    write({ ...known, metadata: { section_id: "not_checked_without_a_spec" } });
    assert.equal(readJsonlDataset(path, null)[0]?.sectionId, "not_checked_without_a_spec");
  });

  test("JSONL past the 1 MB read chunk: multi-byte text across chunk edges intact, line numbers exact", () => {
    const path = join(dir, "large.jsonl");
    // ~3 MB of lines whose 4-byte characters fall across chunk boundaries; a missing final newline; CRLF.
    const text = (i: number) => `${"ü😀".repeat(20 + (i % 7))} sample ${i}`;
    const lines = Array.from({ length: 20_000 }, (_, i) =>
      JSON.stringify({ id: `r${i}`, input: text(i), target: "rubric" }),
    );
    writeFileSync(path, `${lines.join("\r\n")}`);
    const samples = readJsonlDataset(path, null);
    assert.equal(samples.length, 20_000);
    assert.ok(samples.every((s, i) => s.id === `r${i}` && s.input[0]?.content === text(i)));

    lines[15_000] = '{"id": "broken", "input": ';
    writeFileSync(path, `${lines.join("\n")}\n`);
    assert.throws(() => readJsonlDataset(path, null), { message: `${path}:15001: not valid JSON` });
    assert.throws(() => readJsonlDataset(join(dir, "missing.jsonl"), null), {
      message: `${join(dir, "missing.jsonl")}: cannot read dataset (ENOENT)`,
    });
  });

  test("JSONL that is not valid UTF-8 is refused by line, also across the 1 MB read chunk, never replaced", () => {
    const path = join(dir, "latin1.jsonl");
    const text = `café ☕ ${"😀".repeat(12)}`;
    const good = (id: string) => Buffer.from(`${JSON.stringify({ id, input: text, target: "kind" })}\n`);
    // "café" written in Latin-1 (a lone 0xE9 byte), as an editor with the wrong encoding would save it.
    const latin1 = Buffer.from(`{"id": "b", "input": "caf\xe9", "target": "kind"}\n`, "latin1");
    writeFileSync(path, Buffer.concat([good("a"), latin1, good("c")]));
    assert.throws(() => readJsonlDataset(path, null), { message: `${path}:2: not valid UTF-8` });

    // A 4-byte character cut short at the very end of the file (no final newline).
    writeFileSync(
      path,
      Buffer.concat([good("a"), good("b"), Buffer.from('{"id": "c", "input": "\xf0\x9f', "latin1")]),
    );
    assert.throws(() => readJsonlDataset(path, null), { message: `${path}:3: not valid UTF-8` });

    // Past the first chunk: the bad byte sits on line 30 001, with valid 4-byte characters on every chunk edge.
    const lines = Array.from({ length: 40_000 }, (_, i) => good(`r${i}`));
    const bad = 30_000;
    lines[bad] = Buffer.concat([
      Buffer.from(`{"id": "r${bad}", "input": "`),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}\n'),
    ]);
    writeFileSync(path, Buffer.concat(lines));
    assert.ok(statSync(path).size > 3 * 2 ** 20, "the file spans several read chunks");
    assert.throws(() => readJsonlDataset(path, null), { message: `${path}:${bad + 1}: not valid UTF-8` });
    lines[bad] = good(`r${bad}`);
    writeFileSync(path, Buffer.concat(lines));
    assert.equal(readJsonlDataset(path, null).at(-1)?.input[0]?.content, text);
  });
});
