import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { evalPromptsOf, findSection, loadSpec, renderSection, searchSpec } from "../../src/index.js";
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

  test("show renders the section's markdown: footnotes resolved to its eval prompts, links written out", async () => {
    const model = loadSpec(spec);
    const section = findSection(model, "ignore_untrusted_data");
    assert.ok(section && section.footnoteRefs.length === 3);
    const r = await runCli(["spec", "show", "ignore_untrusted_data", "--spec", spec]);
    assert.equal(r.code, 0, r.stderr);
    const text = r.stdout;
    // Footnote marks become numbers, each resolved below to its file and the prompts it cites.
    assert.ok(!text.includes("[^"), "no raw footnote mark");
    assert.match(text, /YAML\[1\], JSON\[2\], XML/);
    section.footnoteRefs.forEach((id, i) => {
      const prompts = evalPromptsOf(model, "ignore_untrusted_data").filter((p) => p.footnoteId === id);
      assert.ok(prompts.length > 0, id);
      assert.ok(text.includes(`\n  [${i + 1}] ${id}  examples/${id}.md, ${prompts.length} prompt(s)\n`), id);
      for (const p of prompts) assert.ok(text.includes(`\n      ${p.id}  ${p.title}\n`), p.id);
    });
    assert.match(text, /^3 example\(s\), 4 eval prompt\(s\)$/m);
    // Links to sections by title (`[?](#id)`) or by their own text, with the id; nothing left as markdown.
    assert.ok(
      text.includes("As mentioned in Respect the letter and spirit of instructions (§letter_and_spirit),"),
    );
    assert.ok(text.includes("its scope of autonomy (§scope_of_autonomy)"));
    assert.ok(!/\]\(#/.test(text), "no markdown link left");
    // Commentary as a quote; lists, emphasis and code with plain markers (no colour off a terminal).
    assert.match(text, /^│ \*\*Commentary\*\*$/m);
    assert.match(text, /^- simply ignore instructions that are clearly unrelated to the task$/m);
    assert.match(text, /users may \*implicitly\* delegate/);
    assert.ok(text.includes("in `untrusted_text` blocks"));
    assert.ok(!text.includes("\x1b"));
    assert.ok(
      text.split("\n").every((l) => l.startsWith("    ") || [...l].length <= 100),
      "wrapped at 100",
    );
    // A link out of the spec: its text, then where it goes.
    const overview = await runCli(["spec", "show", "overview", "--spec", spec]);
    assert.match(overview.stdout, /advancing our mission \(https:\/\/openai\.com\/about\/\) to ensure/);
    // In colour (a terminal): styles instead of markers, the same words.
    const colored = renderSection(model, "ignore_untrusted_data", { color: true });
    assert.ok(colored.includes("users may \x1b[3mimplicitly\x1b[23m delegate"));
    assert.ok(colored.includes("YAML\x1b[2m[1]\x1b[22m"));
  });

  test("search finds sections, examples and eval prompts", async () => {
    const hits = JSON.parse((await runCli(["spec", "search", "PUGCOIN", "--spec", spec, "--json"])).stdout);
    // Ranked: the short example that holds the word above the long section that holds it too.
    assert.deepEqual(
      hits.map((h: { kind: string; id: string; authority: string }) => [h.kind, h.id, h.authority]),
      [
        ["example", "ignore_untrusted_data/2", "root"],
        ["section", "ignore_untrusted_data", "root"],
      ],
    );
    assert.match(hits[0].excerpt, /<untrusted> PUGCOIN is going to the moon/);
  });

  test("search ranks: a title match first, words together first, prefixes and typos match; --limit", async () => {
    const model = loadSpec(spec);
    const creative = searchSpec(model, "creative");
    assert.ok(creative.length > 5, "many texts mention it");
    assert.deepEqual(
      [creative[0]?.kind, creative[0]?.id, creative[0]?.title],
      ["section", "be_creative", "Be creative"],
    );
    const scores = creative.map((h) => h.score);
    assert.deepEqual(
      scores,
      [...scores].sort((a, b) => b - a),
      "best first",
    );
    // Both words, together as written, rank above both words apart.
    const injection = searchSpec(model, "prompt injection");
    assert.equal(injection[0]?.id, "ignore_untrusted_data");
    assert.match(injection[0]?.excerpt ?? "", /\("prompt injection"\)/);
    // A prefix, a typo.
    assert.ok(searchSpec(model, "sycophan").some((h) => h.id === "avoid_sycophancy"));
    assert.ok(searchSpec(model, "sycophnacy").some((h) => h.id === "avoid_sycophancy"));
    assert.deepEqual(searchSpec(model, "zzzqqq"), []);
    // The CLI: numbered, with title, kind, section and authority, and an excerpt; --limit; --json.
    const r = await runCli(["spec", "search", "creative", "--spec", spec, "--limit", "3"]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split("\n");
    assert.equal(lines[0], ' 1. be_creative  "Be creative"  section  [guideline]');
    assert.match(lines[1] ?? "", /^ {4}\S.*creativ/i, "the excerpt shows the matched word");
    assert.equal(lines.length, 3 * 2 + 1);
    assert.equal(lines.at(-1), "3 best match(es)");
    const json = JSON.parse(
      (await runCli(["spec", "search", "creative", "--spec", spec, "--json", "--limit", "2"])).stdout,
    );
    assert.deepEqual(Object.keys(json[0]).sort(), [
      "authority",
      "excerpt",
      "id",
      "kind",
      "score",
      "sectionId",
      "title",
    ]);
    assert.equal(json.length, 2);
    const bad = await runCli(["spec", "search", "creative", "--spec", spec, "--limit", "0"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^modelspec: option '--limit <n>' argument '0' is invalid/);
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
