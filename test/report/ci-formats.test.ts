// The CI renderers on made-up runs: JUnit XML stays well-formed and keeps its structure whatever a response, a
// rationale, a sample id or a model name holds (a property over hostile strings), and the Markdown summary escapes
// every name so that nothing in it becomes HTML, a link, code, emphasis or an extra table cell.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import MarkdownIt from "markdown-it";
import { create } from "xmlbuilder2";
import {
  type GroupRow,
  type RunResultRow,
  type RunSummary,
  renderJunit,
  renderMarkdownSummary,
  renderModelsMatrix,
  textMessage,
} from "../../src/index.js";

function group(id: string, title: string | null, compliant: number, graded: number): GroupRow {
  return {
    id,
    title,
    compliant,
    graded,
    prompts: graded,
    rate: graded ? compliant / graded : null,
    ci95: graded ? [Math.max(0, compliant / graded - 0.2), Math.min(1, compliant / graded + 0.2)] : null,
    clustered: false,
    ungraded: 0,
    errors: 0,
    pending: 0,
  };
}

function summary(
  model: string,
  byTopLevel: GroupRow[] = [group("best_work", "Do the best work", 3, 4)],
): RunSummary {
  const compliant = byTopLevel.reduce((n, r) => n + r.compliant, 0);
  const graded = byTopLevel.reduce((n, r) => n + r.graded, 0);
  const zero = { input: 0, output: 0, cachedInput: 0 };
  return {
    runId: `run-${model.length}`,
    label: null,
    status: "completed",
    spec: { version: "2025-12-18", hash: "abc" },
    model,
    judge: "openai:judge",
    dataset: "eval-prompts",
    samples: graded + 1,
    overall: { ...group("", null, compliant, graded), clustered: false },
    ungraded: 0,
    errors: 1,
    pending: 0,
    errorKinds: { "completion:server": 1 },
    ungradedKinds: {},
    judgeAnswers: { judged: graded, usable: graded, unparseable: 0, refused: 0, partiallyGraded: 0 },
    grading: { graderSamples: 1, quorum: 1, threshold: 6, earlyStop: true, meanDrawn: 1 },
    byTopLevel,
    bySection: byTopLevel,
    byAuthority: [],
    tokens: { candidate: zero, judge: zero },
    estimatedCostUsd: { candidate: null, judge: null },
  };
}

type Outcome = "compliant" | "non-compliant" | "error" | "ungraded" | "pending";

function row(
  sampleId: string,
  sectionId: string,
  outcome: Outcome,
  response: string,
  text: string,
): RunResultRow {
  const graded = outcome === "compliant" || outcome === "non-compliant";
  return {
    sampleId,
    epoch: 1,
    position: 0,
    sample: {
      id: sampleId,
      input: [textMessage("user", "hi")],
      target: null,
      sectionId,
      topLevelSectionId: "best_work",
      authority: null,
      focusId: null,
      references: [],
    },
    completionKey: null,
    errorKind: null,
    errorMessage: null,
    completion: { text: response, inputTokens: 1, outputTokens: 1, finishReason: null, refusal: null },
    verdict:
      outcome === "pending"
        ? null
        : {
            status: graded ? "graded" : outcome,
            compliance: graded ? (outcome === "compliant" ? 7 : 2) : null,
            compliant: graded ? outcome === "compliant" : null,
            gradeKeys: [],
            drawn: 0,
            usableGrades: graded ? 1 : 0,
            errorKind:
              outcome === "error" ? "completion:server" : outcome === "ungraded" ? "judge:refused" : null,
            errorMessage: graded ? null : text,
          },
    grades: graded
      ? [
          {
            key: "g",
            judge: "openai:judge",
            status: "ok",
            compliance: outcome === "compliant" ? 7 : 2,
            rationale: text,
            reliedOn: [],
            failureKind: "other",
            severity: null,
            helpfulness: null,
            raw: "{}",
            inputTokens: 1,
            outputTokens: 1,
            cachedTokens: null,
          },
        ]
      : [],
  };
}

/** What XML 1.0 allows: tab, line feed, carriage return, and the rest of Unicode but surrogates, FFFE and FFFF. */
const allowed = (c: number) =>
  c === 0x9 ||
  c === 0xa ||
  c === 0xd ||
  (c >= 0x20 && c <= 0xd7ff) ||
  (c >= 0xe000 && c <= 0xfffd) ||
  (c >= 0x10000 && c <= 0x10ffff);

/** A text as an attribute of the report should read after parsing: forbidden characters replaced, on one line. */
const asAttribute = (text: string) =>
  Array.from(text, (ch) => (allowed(ch.codePointAt(0) ?? 0) ? ch : "\ufffd"))
    .join("")
    .replace(/[\t\n\r]/g, " ");

/**
 * An attribute reads back as written (forbidden characters replaced, on one line). Not checked for a text with an
 * `&`: xmlbuilder2's parser decodes references again after decoding `&amp;` (`&amp;#x1;` reads as U+0001), so it
 * cannot tell; the serialized form of those is checked below.
 */
function sameAttribute(actual: string | null, written: string): void {
  if (!written.includes("&")) assert.equal(actual, asAttribute(written));
}

interface El {
  nodeType: number;
  tagName: string;
  childNodes: ArrayLike<El>;
  getAttribute(name: string): string | null;
}
const children = (parent: El, name: string): El[] =>
  Array.from(parent.childNodes).filter((n) => n.nodeType === 1 && n.tagName === name);

/** Strings made of the pieces that break XML when concatenated, and of anything else. */
const hostile = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        "]]>",
        "</testcase>",
        '<testcase name="x">',
        "<![CDATA[",
        "&",
        "&amp;",
        "&#0;",
        "&#x1;",
        "&foo;",
        "&lt;",
        '"',
        "'",
        "<",
        "\u0000",
        "\u0001",
        "\u000b",
        "\u001b[31m",
        "\ud800",
        "\udfff",
        "\ufffe",
        "\uffff",
        "\r\n",
        "\t",
        "https://evil.example/a?b=c",
      ),
      fc.string({ unit: "binary", maxLength: 8 }),
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.join(""));

describe("JUnit XML", () => {
  test("well-formed with the right structure and counts, whatever the texts hold", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            model: hostile,
            rows: fc.array(
              fc.record({
                id: hostile,
                section: hostile,
                outcome: fc.constantFrom<Outcome>(
                  "compliant",
                  "non-compliant",
                  "error",
                  "ungraded",
                  "pending",
                ),
                response: hostile,
                text: hostile,
              }),
              { maxLength: 6 },
            ),
          }),
          { minLength: 1, maxLength: 3 },
        ),
        async (runs) => {
          const xml = await renderJunit(
            runs.map((r) => ({
              summary: summary(r.model),
              samples: r.rows.map((x) => row(x.id, x.section, x.outcome, x.response, x.text)),
            })),
          );
          for (const ch of xml)
            assert.ok(allowed(ch.codePointAt(0) ?? 0), `U+${ch.codePointAt(0)?.toString(16)}`);
          // The only references are the predefined entities: no character reference (`&#0;` is not well-formed),
          // no undefined entity (`&foo;`), whatever the texts held. (xmlbuilder2's lenient parser accepts both.)
          for (let at = xml.indexOf("&"); at !== -1; at = xml.indexOf("&", at + 1)) {
            const ref = xml.slice(at, xml.indexOf(";", at) + 1);
            assert.ok(["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"].includes(ref), ref);
          }
          // Responses and rationales are shown without links (names, and error messages, as they are).
          const linkShown = runs.some(
            (r) =>
              r.model.includes("evil.example") ||
              r.rows.some(
                (x) =>
                  x.id.includes("evil.example") ||
                  x.section.includes("evil.example") ||
                  ((x.outcome === "error" || x.outcome === "ungraded") && x.text.includes("evil.example")),
              ),
          );
          assert.ok(linkShown || !xml.includes("evil.example"));
          const root = create(xml).root().node as unknown as El;
          const suites = children(root, "testsuite");
          assert.equal(suites.length, runs.length);
          let tests = 0;
          let failures = 0;
          for (const [i, run] of runs.entries()) {
            const suite = suites[i] as El;
            sameAttribute(suite.getAttribute("name"), run.model);
            const cases = children(suite, "testcase");
            assert.equal(cases.length, run.rows.length);
            for (const [j, x] of run.rows.entries()) {
              const testcase = cases[j] as El;
              sameAttribute(testcase.getAttribute("name"), x.id);
              sameAttribute(testcase.getAttribute("classname"), x.section);
              const expected = {
                compliant: [],
                "non-compliant": ["failure"],
                error: ["error"],
                ungraded: ["error"],
                pending: ["skipped"],
              }[x.outcome];
              assert.deepEqual(
                Array.from(testcase.childNodes)
                  .filter((n) => n.nodeType === 1)
                  .map((n) => n.tagName),
                expected,
              );
            }
            const count = (outcomes: Outcome[]) =>
              run.rows.filter((x) => outcomes.includes(x.outcome)).length;
            assert.equal(suite.getAttribute("tests"), String(run.rows.length));
            assert.equal(suite.getAttribute("failures"), String(count(["non-compliant"])));
            assert.equal(suite.getAttribute("errors"), String(count(["error", "ungraded"])));
            assert.equal(suite.getAttribute("skipped"), String(count(["pending"])));
            tests += run.rows.length;
            failures += count(["non-compliant"]);
          }
          assert.equal(root.getAttribute("tests"), String(tests));
          assert.equal(root.getAttribute("failures"), String(failures));
        },
      ),
      { numRuns: 150 },
    );
  });
});

test("an ampersand is always escaped, also where it starts something shaped like a reference", async () => {
  const xml = await renderJunit([
    { summary: summary("a &amp; b &#0; &foo;"), samples: [row("&#x1;", "&lt;", "error", "", "&#0;")] },
  ]);
  assert.ok(xml.includes('<testsuite name="a &amp;amp; b &amp;#0; &amp;foo;"'), xml);
  assert.ok(xml.includes('<testcase name="&amp;#x1;" classname="&amp;lt;">'), xml);
  assert.ok(xml.includes('message="completion:server: &amp;#0;"'), xml);
});

test("a link glued to the text before it is removed too (a colour code, a word)", async () => {
  // Found by the property above: `\u001b[31mhttps://…` had no word boundary before the scheme.
  for (const response of [
    "\u001b[31mhttps://evil.example/a",
    "seehttps://evil.example/a",
    "xwww.evil.example",
  ]) {
    const xml = await renderJunit([
      { summary: summary("m"), samples: [row("s", "x", "non-compliant", response, "")] },
    ]);
    assert.ok(!xml.includes("evil.example"), xml);
    assert.ok(xml.includes("[link removed]"), xml);
  }
});

describe("Markdown summary", () => {
  const evil =
    "evil|model <script>alert(1)</script> `code` *em* _u_ [link](http://x.example) ![i](y)\n# heading &amp;";
  const html = (markdown: string) => new MarkdownIt({ html: true }).render(markdown);

  test("names are escaped: no HTML, link, code, emphasis, heading or extra table cell comes from them", () => {
    const runs = [summary(evil, [group(evil, evil, 1, 4), group("fine", null, 4, 4)]), summary("openai:b")];
    const markdown = renderMarkdownSummary(runs, { failUnder: 0.9 });
    const out = html(markdown);
    for (const tag of ["<script", "<a ", "<img", "<code>", "<em>", "<h1>"])
      assert.ok(!out.includes(tag), `${tag} in ${out}`);
    // Every table row has as many cells as its header.
    for (const table of out.split("<table>").slice(1)) {
      const rows = table.slice(0, table.indexOf("</table>")).split("<tr>").slice(1);
      const cells = rows.map((r) => r.split(/<t[hd]>/).length - 1);
      assert.ok(
        cells.every((n) => n === cells[0]),
        String(cells),
      );
    }
    // And the text reads as written (on one line).
    const shown = evil
      .replace("\n", " ")
      .replaceAll("&", "&amp;")
      .replaceAll("<", "&lt;")
      .replaceAll(">", "&gt;");
    assert.ok(out.includes(shown), out);
  });

  test("the lowest top-level sections, the gate and why", () => {
    const one = summary("openai:a", [
      group("a", "Alpha", 4, 4),
      group("b", "Beta", 1, 4),
      group("c", "Gamma", 2, 4),
      group("d", "Delta", 3, 4),
      group("e", null, 0, 0),
    ]);
    const markdown = renderMarkdownSummary([one], { failUnder: 0.9 });
    assert.match(
      markdown,
      /^\*\*Overall compliance: 62\.5% \[42\.5–82\.5\]\*\* \(10 of 16 graded samples\)/m,
    );
    const listed = [...markdown.matchAll(/^\| (\w+) \\\((\w)\\\) \|/gm)].map((m) => m[2]);
    assert.deepEqual(listed, ["b", "c", "d"], "three lowest, lowest first; none without a rate");
    assert.match(
      markdown,
      /^\*\*Gate failed\*\*: compliance 62\.5% is under \\-\\-fail\\-under 90\.0%; 1 of 17 samples/m,
    );
    assert.match(renderMarkdownSummary([one]), /^No gate set/m);
    assert.doesNotMatch(markdown, /^\| model \|/m, "one run: no table of runs");
  });
});

describe("models matrix", () => {
  test("one column per model, one row per top-level section of any run, a dash where a run has none", () => {
    const text = renderModelsMatrix([
      summary("openai:a", [group("x", null, 1, 2)]),
      summary("openai:b", [group("y", null, 2, 2)]),
    ]);
    assert.match(text, /│ top-level section +│ openai:a +│ openai:b +│/);
    assert.match(text, /│ x +│ 50\.0% \[30\.0–70\.0\] n=2 +│ — +│/);
    assert.match(text, /│ y +│ — +│ 100\.0% \[80\.0–100\.0\] n=2 +│/);
  });
});
