import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { compileSpecDir, type SpecModel } from "../../src/spec/index.js";
import { releaseDir } from "../support/paths.js";

const load = (version: string) => compileSpecDir({ dir: releaseDir(version), version: null });
const labelCounts = (model: SpecModel) => {
  const counts: Record<string, number> = { GOOD: 0, BAD: 0, OK: 0 };
  for (const e of model.examples) for (const r of e.responses) counts[r.label] = (counts[r.label] ?? 0) + 1;
  return counts;
};

// Expected figures per release, counted independently from the markdown sources.
const EXPECTED = {
  "2025-02-12": {
    sections: 71,
    examples: 154,
    GOOD: 168,
    BAD: 162,
    OK: 7,
    footnotes: 120,
    files: 120,
    prompts: 288,
  },
  "2025-04-11": {
    sections: 71,
    examples: 154,
    GOOD: 168,
    BAD: 162,
    OK: 7,
    footnotes: 120,
    files: 120,
    prompts: 288,
  },
  "2025-09-12": {
    sections: 77,
    examples: 173,
    GOOD: 186,
    BAD: 186,
    OK: 7,
    footnotes: 114,
    files: 114,
    prompts: 272,
  },
  "2025-12-18": {
    sections: 80,
    examples: 183,
    GOOD: 193,
    BAD: 196,
    OK: 8,
    footnotes: 116,
    files: 114,
    prompts: 272,
  },
};

describe("compile every official release exactly", () => {
  for (const [version, want] of Object.entries(EXPECTED)) {
    test(version, () => {
      const { model, diagnostics } = load(version);
      assert.equal(model.source.version, version, "release recognised by its sha256");
      assert.equal(model.sections.length, want.sections);
      assert.equal(model.examples.length, want.examples);
      assert.deepEqual(labelCounts(model), { GOOD: want.GOOD, BAD: want.BAD, OK: want.OK });
      assert.equal(model.footnotes.length, want.footnotes);
      assert.equal(new Set(model.evalPrompts.map((p) => p.file)).size, want.files);
      assert.equal(model.evalPrompts.length, want.prompts);
      assert.deepEqual(
        diagnostics.filter((d) => d.severity === "error"),
        [],
      );
      // Only leaf sections carry an authority in the official releases.
      assert.equal(diagnostics.filter((d) => d.code === "authority-on-group").length, 0);
      const parents = new Set(model.sections.map((s) => s.parentId));
      for (const s of model.sections) if (s.authority) assert.ok(!parents.has(s.id), `${s.id} is a leaf`);
    });
  }
});

describe("2025-12-18 structure", () => {
  const { model, diagnostics } = load("2025-12-18");
  const section = (id: string) => {
    const s = model.sections.find((x) => x.id === id);
    assert.ok(s, `section ${id}`);
    return s;
  };

  test("sections carry authority, parent, top level and tags as written", () => {
    const s = section("follow_all_applicable_instructions");
    assert.equal(s.authority, "root");
    assert.equal(s.level, 2);
    assert.equal(s.parentId, "chain_of_command");
    assert.equal(s.topLevelId, "chain_of_command");
    const teen = section("prioritize_teen_safety");
    assert.deepEqual(teen.tags, ["under_18"]);
    const minors = section("sexual_content_involving_minors");
    assert.equal(minors.level, 4);
    assert.equal(minors.parentId, "prohibited_content");
    assert.equal(minors.topLevelId, "stay_in_bounds");
  });

  test("grouping sections list the authorities found below them, highest first", () => {
    assert.equal(section("stay_in_bounds").authority, null);
    assert.deepEqual(section("stay_in_bounds").authoritiesBelow, ["root", "system", "developer", "user"]);
    assert.deepEqual(section("sensitive_content").authoritiesBelow, ["root", "system", "user"]);
    assert.deepEqual(section("do_not_lie").authoritiesBelow, []);
  });

  test("heading-like lines inside code blocks are not sections", () => {
    assert.ok(!model.sections.some((s) => s.title === "functions" || s.title.includes("imports")));
    assert.ok(section("support_programmatic_use").body.includes("# functions"));
  });

  test("cross references resolve to titles; commentary is kept apart", () => {
    const refs = section("levels_of_authority").crossReferences;
    const auto = refs.find((r) => r.text === "?" && r.id === "follow_all_applicable_instructions");
    assert.equal(auto?.title, "Follow all applicable instructions");
    assert.ok(
      section("structure").commentary[0]?.startsWith("In the main body of the Model Spec, commentary"),
    );
    assert.equal(section("ignore_untrusted_data").commentary.length, 2);
    assert.equal(
      model.sections.flatMap((s) => s.crossReferences).filter((r) => r.title === null).length,
      0,
      "no unresolved references in an official release",
    );
  });

  test("example conversations keep roles, attributes and untrusted/settings parts distinct", () => {
    const tool = model.examples.find((e) => e.title === "malicious instruction from tool output");
    assert.ok(tool);
    assert.deepEqual(
      tool.messages.map((m) => [m.role, m.attributes ?? {}]),
      [
        ["assistant", { recipient: "browser" }],
        ["tool", { name: "browser" }],
      ],
    );
    const quoted = model.examples.find((e) => e.title === "malicious instructions in quoted text");
    assert.deepEqual(
      quoted?.messages[0]?.parts.map((p) => p.type),
      ["text", "untrusted"],
    );
    assert.match(quoted?.messages[0]?.parts[1]?.text ?? "", /^PUGCOIN/);
    const u18 = model.examples.find((e) => e.title === "a conversation with an under-18 user.");
    assert.deepEqual(u18?.messages[0]?.parts, [{ type: "settings", text: "under_18: true" }]);
    assert.equal(u18?.responses.length, 0);
  });

  test("responses keep label, note, section refs, comparison and turn", () => {
    const mayor = model.examples.find(
      (e) => e.title === "asking for an elected public official's contact info",
    );
    assert.ok(mayor);
    assert.deepEqual(
      mayor.responses.map((r) => [r.label, r.refs, r.comparison, r.turn]),
      [
        ["BAD", ["chain_of_command"], 0, 1],
        ["GOOD", [], 0, 1],
        ["GOOD", [], 1, 2],
      ],
    );
    const noted = model.examples
      .flatMap((e) => e.responses)
      .find((r) => r.note === "root instructions override system");
    assert.equal(noted?.label, "GOOD");
    const comma = model.examples
      .flatMap((e) => e.responses)
      .filter((r) => r.note === "given high uncertainty");
    assert.deepEqual(
      comma.map((r) => r.label),
      ["GOOD", "BAD"],
    );
  });

  test("eval prompts link by footnote to the citing section; uncited files are flagged", () => {
    const cited = model.evalPrompts.filter((p) => p.footnoteId === "0dh6");
    assert.equal(cited[0]?.sectionId, "be_creative");
    assert.equal(cited[0]?.cited, true);
    assert.equal(cited[0]?.messages[0]?.role, "user");
    for (const id of ["91ld", "lds1"]) {
      const prompts = model.evalPrompts.filter((p) => p.footnoteId === id);
      assert.ok(prompts.length > 0);
      assert.ok(prompts.every((p) => !p.cited && p.sectionId === "do_not_lie"));
    }
    assert.deepEqual(
      model.footnotes
        .filter((f) => f.file === null)
        .map((f) => f.id)
        .sort(),
      ["d0pu", "h82a", "rse0", "t5q0"],
    );
    assert.equal(diagnostics.filter((d) => d.code === "footnote-without-file").length, 4);
  });

  test("a footnote reference right before a colon still counts", () => {
    const footnote = model.footnotes.find((f) => f.id === "u3nx");
    assert.equal(footnote?.sectionId, "ask_clarifying_questions");
    assert.equal(footnote?.file, "u3nx.md");
  });
});

test("2025-02-12: a stray '*' before tags is read as the tag, with a warning", () => {
  const { model, diagnostics } = load("2025-02-12");
  const tweet = model.examples.find((e) => e.title === "short form writing");
  assert.deepEqual(
    tweet?.responses.map((r) => [r.label, r.comparison]),
    [
      ["BAD", 0],
      ["GOOD", 0],
      ["GOOD", 1],
    ],
  );
  assert.equal(diagnostics.filter((d) => d.code === "stray-character").length, 3);
  const platform = model.sections.filter((s) => s.authority === "platform");
  assert.equal(platform.length, 20, "older releases write platform; kept as written");
});
