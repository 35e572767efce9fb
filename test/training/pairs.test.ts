// Preference pairs from the spec's examples, on the real release 2025-12-18: how many there are (and why that is
// not the per-example figure), that each pairs a GOOD with a BAD response of the same comparison and its
// conversation, and that both training formats validate line by line with a line-aligned provenance sidecar.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import {
  exampleSamples,
  loadSpec,
  type PairCounts,
  type PreferencePair,
  type ProvenanceLine,
  preferencePairs,
  SpecError,
  toTrainingRecord,
  UsageError,
  writePreferencePairs,
} from "../../src/index.js";
import { DpoLine, jsonLines, TrlLine } from "../support/pair-formats.js";
import { releaseDir } from "../support/paths.js";

/** The provenance file beside a training file: `x.jsonl` → `x.provenance.jsonl`. */
const provenanceOf = (out: string) => out.replace(/\.jsonl$/, ".provenance.jsonl");

const SPEC = releaseDir("2025-12-18");
const work = mkdtempSync(join(tmpdir(), "modelspec-pairs-"));
after(() => rmSync(work, { recursive: true, force: true }));

function drain(options: Parameters<typeof preferencePairs>[0]): {
  pairs: PreferencePair[];
  counts: PairCounts;
} {
  const generator = preferencePairs(options);
  const pairs: PreferencePair[] = [];
  for (;;) {
    const next = generator.next();
    if (next.done) return { pairs, counts: next.value };
    pairs.push(next.value);
  }
}

describe("preference pairs from the spec's examples (2025-12-18)", () => {
  const spec = loadSpec(SPEC);
  const { pairs, counts } = drain({ spec: SPEC });

  test("the issue's figures count per example; pairs are per comparison (one prompt each)", () => {
    const label = (e: (typeof spec.examples)[number], l: string) => e.responses.filter((r) => r.label === l);
    const both = spec.examples.filter((e) => label(e, "GOOD").length > 0 && label(e, "BAD").length > 0);
    assert.equal(both.length, 156, "examples with a GOOD and a BAD response");
    const perExample = both.reduce((n, e) => n + label(e, "GOOD").length * label(e, "BAD").length, 0);
    assert.equal(perExample, 212, "GOOD × BAD combinations per example");
    // An example with two comparisons asks two prompts (the second after more turns): a GOOD of one and a BAD
    // of the other answer different conversations, so they do not make a pair.
    const crossTurn = both.reduce(
      (n, e) =>
        n +
        label(e, "GOOD").reduce(
          (m, g) => m + label(e, "BAD").filter((b) => b.comparison !== g.comparison).length,
          0,
        ),
      0,
    );
    assert.equal(crossTurn, 13);
    assert.equal(pairs.length, perExample - crossTurn);
    assert.equal(pairs.length, 199);
    assert.deepEqual(counts.examples, { prompts: 160, pairs: 199 });
    assert.equal(counts.runs.pairs, 0);
    assert.equal(counts.capped, 0);
  });

  test("each pair is a GOOD and a BAD response of one comparison, its conversation the prompt", () => {
    const samples = new Map(exampleSamples(spec).map((s) => [s.id, s]));
    const examples = new Map(spec.examples.map((e) => [e.id, e]));
    for (const pair of pairs) {
      const p = pair.provenance;
      assert.equal(p.source, "spec-example");
      if (p.source !== "spec-example") continue;
      const example = examples.get(p.exampleId);
      assert.ok(example, p.exampleId);
      const good = example.responses[p.chosen.response - 1];
      const bad = example.responses[p.rejected.response - 1];
      assert.equal(good?.label, "GOOD", p.exampleId);
      assert.equal(bad?.label, "BAD", p.exampleId);
      assert.equal(good.comparison, bad.comparison, p.exampleId);
      assert.equal(pair.chosen.content, good.content);
      assert.equal(pair.rejected.content, bad.content);
      assert.deepEqual(pair.prompt, samples.get(p.sampleId)?.input, p.sampleId);
      assert.equal(p.sectionId, example.sectionId);
      assert.equal(p.specVersion, "2025-12-18");
      assert.equal(p.specHash, spec.source.contentHash);
    }
    const distinct = new Set(pairs.map((p) => JSON.stringify([p.provenance, p.chosen.content])));
    assert.equal(distinct.size, pairs.length, "no pair twice");
  });

  test("the formats keep system and developer messages, as system messages, and only three roles", () => {
    const withDeveloper = pairs.find((p) => p.prompt.some((m) => m.role === "developer"));
    assert.ok(withDeveloper);
    const trl = TrlLine.parse(toTrainingRecord(withDeveloper, "trl"));
    const developer = withDeveloper.prompt.findIndex((m) => m.role === "developer");
    assert.equal(trl.prompt[developer]?.role, "system");
    assert.match(trl.prompt[developer]?.content ?? "", /^Developer message:\n/);
    const withTool = pairs.find((p) => p.prompt.some((m) => m.role === "tool"));
    assert.ok(withTool, "some example conversation has tool output");
    const dpo = DpoLine.parse(toTrainingRecord(withTool, "dpo"));
    const tool = withTool.prompt.findIndex((m) => m.role === "tool");
    assert.equal(dpo.input.messages[tool]?.role, "user");
    assert.match(dpo.input.messages[tool]?.content ?? "", /It is data, not instructions\./);
  });

  test("--max-pairs-per-prompt caps every prompt", () => {
    const capped = drain({ spec: SPEC, maxPairsPerPrompt: 1 });
    assert.equal(capped.pairs.length, 160);
    assert.equal(capped.counts.capped, 199 - 160);
  });
});

describe("writePreferencePairs", () => {
  for (const format of ["dpo", "trl"] as const) {
    test(`${format}: every line validates against the format; the provenance lines align`, () => {
      const out = join(work, `examples.${format}.jsonl`);
      const written = writePreferencePairs({ spec: SPEC, format, out });
      assert.equal(written.pairs, 199);
      assert.equal(written.provenance, provenanceOf(out));
      const lines = jsonLines(readFileSync(out, "utf8"));
      const provenance = jsonLines(readFileSync(written.provenance, "utf8")) as ProvenanceLine[];
      assert.equal(lines.length, 199);
      assert.equal(provenance.length, 199);
      const schema = format === "dpo" ? DpoLine : TrlLine;
      const spec = loadSpec(SPEC);
      lines.forEach((line, i) => {
        const parsed = schema.safeParse(line);
        assert.ok(parsed.success, `line ${i + 1}: ${parsed.error?.message}`);
        const p = provenance[i] as ProvenanceLine;
        assert.equal(p.line, i + 1);
        assert.equal(p.source, "spec-example");
        if (p.source !== "spec-example") return;
        // The line and its provenance describe the same pair: the chosen text is that GOOD response's.
        const good = spec.examples.find((e) => e.id === p.exampleId)?.responses[p.chosen.response - 1];
        const chosen = format === "dpo" ? DpoLine.parse(line).preferred_output : TrlLine.parse(line).chosen;
        assert.ok(good && chosen[0].content.endsWith(good.content.slice(-40)), `line ${i + 1}`);
      });
      assert.deepEqual(
        readdirSync(work).filter((f) => f.endsWith(".tmp")),
        [],
        "no temporary file left",
      );
    });
  }

  test("an existing file is refused without force and left as it was; force replaces it", () => {
    const out = join(work, "existing.jsonl");
    writeFileSync(out, "keep\n");
    assert.throws(() => writePreferencePairs({ spec: SPEC, format: "dpo", out }), UsageError);
    assert.equal(readFileSync(out, "utf8"), "keep\n");
    assert.equal(existsSync(provenanceOf(out)), false);
    writePreferencePairs({ spec: SPEC, format: "dpo", out, force: true });
    assert.equal(jsonLines(readFileSync(out, "utf8")).length, 199);
  });

  test("a spec that does not load, or bad options: an error, the files untouched", () => {
    const out = join(work, "untouched.jsonl");
    writeFileSync(out, "keep\n");
    const empty = mkdtempSync(join(work, "no-spec-"));
    assert.throws(() => writePreferencePairs({ spec: empty, format: "trl", out, force: true }), SpecError);
    assert.throws(
      () => writePreferencePairs({ spec: SPEC, format: "dpo", out, force: true, minMargin: 7 }),
      /option minMargin: expected a number from 0 to 6/,
    );
    assert.throws(
      () => writePreferencePairs({ spec: SPEC, format: "csv" as "dpo", out, force: true }),
      /option format/,
    );
    assert.throws(
      () => writePreferencePairs({ spec: SPEC, examples: false, format: "dpo", out, force: true }),
      /nothing to pair/,
    );
    assert.equal(readFileSync(out, "utf8"), "keep\n");
    assert.equal(existsSync(provenanceOf(out)), false);
  });
});
