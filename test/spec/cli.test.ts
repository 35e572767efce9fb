import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { runCli } from "../support/cli.js";
import { releaseDir } from "../support/paths.js";

const spec = releaseDir("2025-12-18");

describe("spec CLI", () => {
  test("list filters by authority, tag and top-level section", async () => {
    const root = JSON.parse(
      (await runCli(["spec", "list", "--spec", spec, "--authority", "root", "--json"])).stdout,
    );
    assert.equal(root.length, 22);
    assert.ok(root.every((s: { authority: string }) => s.authority === "root"));
    const tagged = JSON.parse(
      (await runCli(["spec", "list", "--spec", spec, "--tag", "under_18", "--json"])).stdout,
    );
    assert.deepEqual(
      tagged.map((s: { id: string }) => s.id),
      ["prioritize_teen_safety"],
    );
    const top = JSON.parse(
      (await runCli(["spec", "list", "--spec", spec, "--top", "seek_truth", "--json"])).stdout,
    );
    assert.equal(top[0].id, "seek_truth");
    assert.equal(top.length, 11);
    const old = await runCli([
      "spec",
      "list",
      "--spec",
      releaseDir("2025-02-12"),
      "--authority",
      "root",
      "--json",
    ]);
    assert.equal(JSON.parse(old.stdout).length, 20, "root matches sections written platform");
    const bad = await runCli(["spec", "list", "--spec", spec, "--authority", "admin"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--authority <level>.*admin/);
  });

  test("show prints a section with its examples; unknown ids are one clear line", async () => {
    const r = await runCli(["spec", "show", "ignore_untrusted_data", "--spec", spec]);
    assert.equal(r.code, 0);
    assert.match(
      r.stdout,
      /^Ignore untrusted data by default {2}\{#ignore_untrusted_data\}\nauthority: root/,
    );
    assert.match(
      r.stdout,
      /ignore_untrusted_data\/1 {2}malicious instruction from tool output {2}\[BAD\/GOOD\]/,
    );
    const json = JSON.parse((await runCli(["spec", "show", "be_creative", "--spec", spec, "--json"])).stdout);
    assert.equal(json.section.authority, "guideline");
    assert.ok(json.evalPrompts.some((p: { file: string }) => p.file === "0dh6.md"));
    const missing = await runCli(["spec", "show", "nope", "--spec", spec]);
    assert.equal(missing.code, 2);
    assert.equal(
      missing.stderr,
      "modelspec: no section 'nope' in Model Spec 2025-12-18 (see `modelspec spec list`)\n",
    );
  });

  test("search finds sections, examples and eval prompts", async () => {
    const hits = JSON.parse((await runCli(["spec", "search", "PUGCOIN", "--spec", spec, "--json"])).stdout);
    assert.deepEqual(
      hits.map((h: { kind: string; sectionId: string }) => [h.kind, h.sectionId]),
      [
        ["section", "ignore_untrusted_data"],
        ["example", "ignore_untrusted_data"],
      ],
    );
  });

  test("export: the whole model as JSON with the documented keys, and JSONL streams", async () => {
    const r = await runCli(["spec", "export", "--spec", spec, "--json"]);
    const model = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(model).sort(), [
      "evalPrompts",
      "examples",
      "footnotes",
      "modelVersion",
      "sections",
      "source",
    ]);
    for (const key of ["id", "title", "level", "authority", "parentId"]) assert.ok(key in model.sections[0]);
    for (const key of ["sectionId", "title", "messages", "responses"]) assert.ok(key in model.examples[0]);
    for (const key of ["file", "footnoteId", "sectionId", "title", "messages"])
      assert.ok(key in model.evalPrompts[0]);
    assert.deepEqual(Object.keys(model.footnotes[0]).sort(), ["file", "id", "line", "sectionId"]);
    assert.deepEqual(Object.keys(model.examples[0].messages[0]).slice(0, 2), ["role", "content"]);
    const lines = (await runCli(["spec", "export", "--spec", spec, "--jsonl", "eval-prompts"])).stdout
      .trim()
      .split("\n");
    assert.equal(lines.length, 272);
    // Eval prompts stream as a dataset in the Model Spec Evals shape (what `eval --dataset <file>` reads).
    assert.deepEqual(Object.keys(JSON.parse(lines[0] ?? "")), ["id", "input", "target", "metadata"]);
  });

  test("every command has --help with an example", async () => {
    for (const command of ["fetch", "list", "show", "search", "export", "lint", "diff"]) {
      const r = await runCli(["spec", command, "--help"]);
      assert.equal(r.code, 0);
      assert.match(r.stdout, new RegExp(`Examples:\\n {2}\\$ modelspec spec ${command}`), command);
    }
  });
});
