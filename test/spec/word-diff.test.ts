// The changed text of a section, word by word: in the library (diffSectionTexts), in `modelspec spec diff` (plain
// markers off a terminal, colour on one, bounded for big diffs) and in the viewer's spec-diff page (<ins>/<del>,
// escaped). Between 2025-09-12 and 2025-12-18, "Assume an objective point of view" fixes a spelling
// ("judgemental" → "judgmental") and an article ("an tribal council" → "a tribal council").
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { diffSectionTexts, diffSpecs, loadSpec, renderSpecDiff } from "../../src/index.js";
import { wordDiffHunks } from "../../src/report/index.js";
import { ResultStore } from "../../src/store/index.js";
import { startViewer } from "../../src/viewer/index.js";
import { runCli } from "../support/cli.js";
import { releaseDir } from "../support/paths.js";

const OLDER = releaseDir("2025-09-12");
const NEWER = releaseDir("2025-12-18");
const work = mkdtempSync(join(tmpdir(), "modelspec-word-diff-"));
after(() => rmSync(work, { recursive: true, force: true }));

describe("word diff of changed section text", () => {
  test("diffSectionTexts: every section whose text changed, word by word", () => {
    const [a, b] = [loadSpec(OLDER), loadSpec(NEWER)];
    const changes = diffSectionTexts(a, b);
    assert.deepEqual(
      changes.map((c) => c.id),
      diffSpecs(a, b).textChanged,
    );
    const pov = changes.find((c) => c.id === "assume_objective_pov");
    assert.ok(pov);
    assert.equal(pov.title, "Assume an objective point of view");
    assert.equal(pov.rewritten, false);
    const changed = pov.parts.filter((p) => p.op !== "same").map((p) => `${p.op}:${p.text.trim()}`);
    assert.deepEqual(changed, ["del:judgemental", "add:judgmental", "del:an", "add:a"]);
    assert.deepEqual([pov.wordsAdded, pov.wordsRemoved], [2, 2]);
    // What stays is the newer text: unchanged and inserted runs put together.
    const section = b.sections.find((s) => s.id === "assume_objective_pov");
    assert.equal(
      pov.parts
        .filter((p) => p.op !== "del")
        .map((p) => p.text)
        .join(""),
      section?.body,
    );
    // Hunks: each change with a few words around it; far-apart changes in hunks of their own.
    const hunks = wordDiffHunks(pov.parts, 3);
    assert.equal(hunks.length, 2);
    assert.ok(hunks.every((h) => h.cutBefore && h.cutAfter));
    assert.equal(
      hunks[0]?.parts.map((p) => (p.op === "same" ? p.text : `${p.op}(${p.text})`)).join(""),
      "\n<assistant> <!-- BAD: del(judgemental)add(judgmental) and shows no ",
    );
  });

  test("spec diff prints the changed words with plain markers off a terminal, bounded, --section in full", async () => {
    const r = await runCli(["spec", "diff", OLDER, NEWER]);
    assert.equal(r.code, 0, r.stderr);
    // A hunk is wrapped over lines indented by 4: read as one line.
    const unwrapped = r.stdout.replace(/\n {4}/g, " ");
    assert.ok(!r.stdout.includes("\x1b"), "no colour off a terminal");
    assert.match(r.stdout, /Changed text \(15 section\(s\); \[-deleted-\] \{\+inserted\+\}\)/);
    assert.match(
      r.stdout,
      /^ {2}assume_objective_pov {2}"Assume an objective point of view" {2}\+2 −2 words$/m,
    );
    assert.match(unwrapped, /<!-- BAD: \[-judgemental-\]\{\+judgmental\+\} and shows/);
    assert.match(unwrapped, /A jirga is \[-an-\]\{\+a\+\} tribal/);
    // Bounded: a few changes per section, the rest counted with the command that shows them.
    assert.match(
      r.stdout,
      new RegExp(`\\(\\d+ more change\\(s\\): modelspec spec diff ${OLDER} ${NEWER} --section do_not_lie\\)`),
    );
    assert.match(r.stdout, /^ {2}\d+ change\(s\) not shown; --section <id> shows one section's in full$/m);
    assert.ok(r.stdout.split("\n").length < 400, `${r.stdout.split("\n").length} lines`);
    // One section asked for: all of its changes, nothing else's.
    const one = await runCli(["spec", "diff", OLDER, NEWER, "--section", "do_not_lie"]);
    assert.equal(one.code, 0, one.stderr);
    const change = diffSectionTexts(loadSpec(OLDER), loadSpec(NEWER)).find((c) => c.id === "do_not_lie");
    const hunks = wordDiffHunks(change?.parts ?? []);
    assert.ok(hunks.length > 4);
    const detail = one.stdout.slice(one.stdout.indexOf("Changed text")).replace(/\n {4}/g, " ");
    assert.match(detail, /^Changed text \(1 section\(s\);/);
    for (const part of hunks.flatMap((h) => h.parts)) {
      const words = part.text.replace(/\s+/g, " ").trim();
      if (part.op === "add" && words) assert.ok(detail.includes(`{+${words}+}`), words);
      if (part.op === "del" && words) assert.ok(detail.includes(`[-${words}-]`), words);
    }
    assert.ok(!detail.includes("more change(s)") && !detail.includes("assume_objective_pov"));
    const same = await runCli(["spec", "diff", OLDER, NEWER, "--section", "overview"]);
    assert.equal(same.code, 2);
    assert.equal(same.stderr, "modelspec: --section overview: its text is the same in both\n");
  });

  test("in colour: deleted words red and struck through, inserted green", () => {
    const [a, b] = [loadSpec(OLDER), loadSpec(NEWER)];
    const text = renderSpecDiff(diffSpecs(a, b), "2025-09-12", "2025-12-18", {
      textChanges: diffSectionTexts(a, b),
      sections: ["assume_objective_pov"],
      color: true,
    });
    assert.ok(text.includes("\x1b[31m\x1b[9mjudgemental\x1b[29m\x1b[39m\x1b[32mjudgmental\x1b[39m"));
    assert.ok(!text.includes("[-judgemental-]"));
  });

  test("the viewer's spec-diff page shows the words inserted and deleted, escaped", async () => {
    // A fork that inserts markup into a section's text: shown as text, never as markup.
    const fork = join(work, "fork");
    cpSync(NEWER, fork, { recursive: true });
    const file = join(fork, "model_spec.md");
    const source = readFileSync(file, "utf8");
    const marker = "It brings warmth and kindness to interactions";
    assert.ok(source.includes(marker));
    writeFileSync(file, source.replace(marker, `<img src=x onerror=alert(1)> ${marker}`));
    const db = join(work, "results.db");
    ResultStore.open(db).close();
    const viewer = await startViewer({ db, port: 0, spec: [NEWER, OLDER, fork] });
    try {
      const page = async (from: string, to: string) => {
        const response = await fetch(
          new URL(`/spec/diff?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, viewer.url),
        );
        assert.equal(response.status, 200);
        return response.text();
      };
      const releases = await page(OLDER, NEWER);
      assert.match(releases, /<h2>Text changed \(15\)<\/h2>/);
      const pov = /<details class="card" data-word-diff="assume_objective_pov">[\s\S]*?<\/details>/.exec(
        releases,
      )?.[0];
      assert.ok(pov, "a word diff per changed section");
      assert.match(pov, /\+2 −2 words/);
      assert.match(pov, /&lt;!-- BAD: <del>judgemental<\/del><ins>judgmental<\/ins> and shows/);
      assert.match(pov, /A jirga is <del>an<\/del><ins>a<\/ins> tribal/);
      const forked = await page(NEWER, fork);
      const warm = /<details class="card" data-word-diff="be_warm">[\s\S]*?<\/details>/.exec(forked)?.[0];
      assert.ok(warm, forked);
      assert.match(warm, /<ins>&lt;img src=x onerror=alert\(1\)&gt; ?<\/ins>/);
      assert.ok(!forked.includes("<img src=x"), "no markup from the spec's text");
    } finally {
      await viewer.close();
    }
  });
});
