import assert from "node:assert/strict";
import { test } from "node:test";
import { compileSpecDir, diffSpecs } from "../../src/spec/index.js";
import { runCli } from "../support/cli.js";
import { releaseDir } from "../support/paths.js";

const model = (version: string) => compileSpecDir({ dir: releaseDir(version), version: null }).model;

test("2025-04-11 → 2025-09-12 shows what the official changelog says", () => {
  const diff = diffSpecs(model("2025-04-11"), model("2025-09-12"));
  assert.equal(diff.from, "2025-04-11");
  assert.equal(diff.to, "2025-09-12");
  // platform was renamed root; three sections moved to system.
  const changed = diff.authorityChanged;
  assert.ok(changed.every((c) => c.from === "platform"));
  assert.deepEqual(
    changed
      .filter((c) => c.to === "system")
      .map((c) => c.id)
      .sort(),
    ["comply_with_laws", "no_erotica_or_gore", "use_preset_voice_in_voice_mode"],
  );
  assert.equal(changed.filter((c) => c.to === "root").length, 16);
  const added = diff.added.map((s) => s.id);
  for (const id of [
    "red_line_principles",
    "no_other_objectives",
    "scope_of_autonomy",
    "control_side_effects",
  ]) {
    assert.ok(added.includes(id), id);
  }
  assert.ok(diff.removed.some((s) => s.id === "approachable" && s.title === "Be approachable"));
  assert.deepEqual(
    diff.moved.map((m) => [m.id, m.from, m.to]),
    [
      ["be_rationally_optimistic", "approachable", "style"],
      ["do_not_make_unprompted_personal_comments", "approachable", "style"],
      ["avoid_being_condescending", "approachable", "style"],
    ],
  );
  assert.deepEqual(diff.evalPromptFiles.removed, [
    "3y9z.md",
    "d0pu.md",
    "h82a.md",
    "k0ff.md",
    "rse0.md",
    "t5q0.md",
  ]);
  const privileged = diff.examples.find((e) => e.sectionId === "protect_privileged_information");
  assert.equal(privileged?.added.length, 6);
});

test("a spec compared with itself has no differences", () => {
  const m = model("2025-12-18");
  const diff = diffSpecs(m, m);
  assert.deepEqual(
    [
      diff.added,
      diff.removed,
      diff.retitled,
      diff.authorityChanged,
      diff.moved,
      diff.examples,
      diff.textChanged,
    ],
    [[], [], [], [], [], [], []],
  );
});

test("spec diff CLI: text and --json", async () => {
  const text = await runCli(["spec", "diff", releaseDir("2025-04-11"), releaseDir("2025-09-12")]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /comply_with_laws: platform → system/);
  assert.match(text.stdout, /- approachable {2}"Be approachable"/);
  const json = await runCli(["spec", "diff", releaseDir("2025-04-11"), releaseDir("2025-09-12"), "--json"]);
  const diff = JSON.parse(json.stdout);
  assert.deepEqual(
    Object.keys(diff).filter((k) => ["added", "removed", "retitled", "authorityChanged"].includes(k)),
    ["added", "removed", "retitled", "authorityChanged"],
  );
  assert.deepEqual(diff.authorityChanged[0], {
    id: "follow_all_applicable_instructions",
    title: "Follow all applicable instructions",
    from: "platform",
    to: "root",
  });
});
