import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { compileSpecDir } from "../../src/spec/index.js";
import { runCli } from "../support/cli.js";
import { releaseDir } from "../support/paths.js";

const work = mkdtempSync(join(tmpdir(), "modelspec-lint-"));
after(() => rmSync(work, { recursive: true, force: true }));

/** A fork of 2025-12-18 with `edit` applied to model_spec.md. */
function fork(name: string, edit: (text: string) => string): string {
  const dir = join(work, name);
  cpSync(releaseDir("2025-12-18"), dir, { recursive: true });
  const path = join(dir, "model_spec.md");
  writeFileSync(path, edit(readFileSync(path, "utf8")));
  return dir;
}

const { model: release } = compileSpecDir({ dir: releaseDir("2025-12-18"), version: null });

describe("spec lint", () => {
  test("an official release has no errors: exit 0, warnings located", async () => {
    const r = await runCli(["spec", "lint", releaseDir("2025-12-18"), "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.errors, 0);
    assert.deepEqual([...new Set(out.findings.map((f: { code: string }) => f.code))].sort(), [
      "footnote-without-file",
      "uncited-eval-file",
    ]);
    assert.ok(out.findings.every((f: { file: string; line: number }) => f.file.length > 0 && f.line >= 1));
  });

  test("a broken fork: every finding named with file:line and severity, exit 1", async () => {
    // Lines are found through the compiled model, so the test quotes none of the spec's prose.
    const section = (id: string) => {
      const found = release.sections.find((s) => s.id === id);
      assert.ok(found, id);
      return found;
    };
    const reference = release.sections
      .flatMap((s) => s.crossReferences)
      .find((r) => r.id === "follow_all_applicable_instructions");
    // An example whose only GOOD response becomes BAD: reported at the first response of that comparison.
    const example = release.examples.find((e) => e.responses.filter((r) => r.label === "GOOD").length === 1);
    const onlyGood = example?.responses.find((r) => r.label === "GOOD");
    assert.ok(reference && example && onlyGood);
    const edits = new Map<number, [string | RegExp, string]>([
      [section("letter_and_spirit").line, ["{#letter_and_spirit", "{#follow_all_applicable_instructions"]],
      [reference.line, ["[?](#follow_all_applicable_instructions)", "[?](#no_such_section)"]],
      [section("comply_with_laws").line, ["authority=system", "authority=sysadmin"]],
      [section("do_not_lie").line, [/\}\s*$/, " oops}"]],
      [onlyGood.line, ["<!-- GOOD", "<!-- BAD"]],
    ]);
    const dir = fork("broken", (t) =>
      t
        .split("\n")
        .map((line, i) => {
          const edit = edits.get(i + 1);
          if (!edit) return line;
          assert.notEqual(line.replace(...edit), line, `line ${i + 1} edited`);
          return line.replace(...edit);
        })
        .join("\n"),
    );
    const r = await runCli(["spec", "lint", dir]);
    assert.equal(r.code, 1);
    const spec = join(dir, "model_spec.md");
    const expect = (line: number, severity: string, code: string) => {
      assert.match(
        r.stdout,
        new RegExp(`${spec.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:${line}: ${severity}: .*\\[${code}\\]`),
      );
    };
    expect(section("letter_and_spirit").line, "error", "duplicate-id");
    expect(reference.line, "error", "unresolved-reference");
    expect(section("comply_with_laws").line, "error", "unknown-authority");
    expect(section("do_not_lie").line, "error", "malformed-heading");
    const comparisonStart = example.responses.find((r) => r.comparison === onlyGood.comparison)?.line;
    expect(comparisonStart ?? 0, "warning", "comparison-without-good");
    assert.equal(r.stderr, "");
  });

  test("an unclosed fence and an unclosed tag are located errors, not crashes", async () => {
    // The first closing </user> goes, and the file ends inside an open fence.
    const dir = fork("unclosed", (t) => t.replace("\n</user>\n", "\n").concat("\n~~~xml\n<user>\nhi\n"));
    const r = await runCli(["spec", "lint", dir, "--json"]);
    assert.equal(r.code, 1);
    const findings = JSON.parse(r.stdout).findings as { code: string; line: number }[];
    assert.ok(findings.some((f) => f.code === "unclosed-fence"));
    assert.ok(findings.some((f) => f.code === "unclosed-tag"));
    // Other commands refuse the broken spec with the same location, one message, no stack trace.
    const list = await runCli(["spec", "list", "--spec", dir]);
    assert.equal(list.code, 2);
    assert.match(list.stderr, /model_spec\.md:\d+: error: /);
    assert.doesNotMatch(list.stderr, /\n\s+at /);
  });

  test("a folder without model_spec.md and an unknown spec name give one clear line", async () => {
    const missing = await runCli(["spec", "lint", work]);
    assert.equal(missing.code, 2);
    assert.equal(
      missing.stderr.trim(),
      `modelspec: ${join(work, "model_spec.md")}: not found (a spec folder holds model_spec.md)`,
    );
    const unknown = await runCli(["spec", "list", "--spec", "1999-01-01"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^modelspec: --spec 1999-01-01: no such folder, and not a known release/);
  });

  test("eval prompt files nobody cites and footnotes without files are reported", async () => {
    const dir = fork("orphans", (t) => t);
    writeFileSync(
      join(dir, "examples", "zzzz.md"),
      "Examples for [^zzzz] in A title:\n\n**Example**: x\n\n~~~xml\n<user>\nhi\n</user>\n~~~\n",
    );
    const r = await runCli(["spec", "lint", dir, "--json"]);
    const findings = JSON.parse(r.stdout).findings as { code: string; file: string; line: number }[];
    const orphan = findings.find((f) => f.file.endsWith("zzzz.md"));
    assert.deepEqual([orphan?.code, orphan?.line], ["uncited-eval-file", 1]);
  });
});
