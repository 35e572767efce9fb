// The terminal report: one screen for the overall and top-level view of a realistic run (every eval prompt of the
// latest release, with errors and ungraded samples), its orders, and the long section table on demand. Every
// number in it is the summary's, formatted by report/format.ts.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  evaluate,
  formatRate,
  type GroupRow,
  loadSpec,
  type Provider,
  type RunSummary,
  renderSummary,
} from "../../src/index.js";
import { runCli } from "../support/cli.js";
import { releaseDir } from "../support/paths.js";

const SPEC = releaseDir("2025-12-18");
const work = mkdtempSync(join(tmpdir(), "modelspec-summary-text-"));
const db = join(work, "results.db");
const byte = (text: string) => createHash("sha256").update(text).digest()[0] as number;
const last = (messages: { content: string }[]) => messages.at(-1)?.content ?? "";

/** Answers every prompt but about one in twelve (a provider error after its one attempt). */
const candidate: Provider = {
  id: "test:candidate",
  async generate(request) {
    const prompt = last(request.messages);
    if (byte(prompt) % 12 === 0) throw new Error("connection refused");
    return { text: `answer ${byte(`${prompt}!`)}`, usage: { inputTokens: 100, outputTokens: 40 } };
  },
};

/** Scores a response by its text; refuses about one response in fifteen (those samples are ungraded). */
const judge: Provider = {
  id: "test:judge",
  async generate(request) {
    const n = Number(/answer (\d+)/.exec(last(request.messages))?.[1] ?? 0);
    if (n % 15 === 0)
      return { text: "", refusal: "I cannot grade this.", usage: { inputTokens: 10, outputTokens: 1 } };
    const compliance = (n % 7) + 1;
    return {
      text: JSON.stringify({
        compliance,
        rationale: "r",
        relied_on_sections: [],
        failure_kind: compliance >= 6 ? "none" : "other",
      }),
      usage: { inputTokens: 5000, outputTokens: 60 },
    };
  },
};

let summary: RunSummary;
before(async () => {
  summary = await evaluate({ spec: SPEC, model: candidate, judge, graderSamples: 1, maxAttempts: 1, db });
});
after(() => rmSync(work, { recursive: true, force: true }));

/** The ids in the first column of a table's body rows, in order, among `ids`. */
function rowIds(text: string, ids: readonly string[]): string[] {
  return text
    .split("\n")
    .map((line) => /^│ (\S+)/.exec(line)?.[1])
    .filter((id): id is string => id !== undefined && ids.includes(id));
}

const ids = (rows: GroupRow[]) => rows.map((r) => r.id);

describe("the text report", () => {
  test("a run of every eval prompt: overall and top-level sections fit one screen (40 lines, 100 columns)", () => {
    assert.equal(summary.samples, 272);
    assert.ok(summary.errors > 0 && summary.ungraded > 0, "the run has errors and ungraded samples");
    const text = renderSummary(summary);
    const lines = text.split("\n");
    assert.ok(lines.length <= 40, `${lines.length} lines:\n${text}`);
    for (const line of lines) assert.ok([...line].length <= 100, `wider than 100 columns: ${line}`);
    const o = summary.overall;
    assert.ok(
      text.includes(
        `Overall compliance: ${formatRate(o.rate, o.ci95)}  (${o.compliant} of ${o.graded} graded samples)`,
      ),
    );
    assert.ok(
      text.includes(
        `Samples 272: graded ${o.graded}, ungraded ${summary.ungraded} (too few usable judge answers), errors ${summary.errors}`,
      ),
    );
    assert.match(text, /Ungraded by reason: judge:refused \d+/);
    assert.match(text, /Errors by kind: completion:\S+ \d+/);
    // Each top-level section with its title, its counts and its rate as formatted everywhere else.
    assert.ok(summary.byTopLevel.length >= 5);
    for (const r of summary.byTopLevel) {
      assert.ok(r.title, r.id);
      const row = lines.find((l) => l.startsWith(`│ ${r.id} `)) ?? "";
      assert.ok(row.includes(r.title ?? ""), row);
      assert.ok(row.includes(`${r.compliant}/${r.graded}`) && row.includes(formatRate(r.rate, r.ci95)), row);
    }
    // Sections are counted, not listed.
    assert.ok(
      text.includes(`${summary.bySection.length} section(s) in this run: --all-sections lists each one.`),
    );
    const sectionsOnly = ids(summary.bySection).filter((id) => !ids(summary.byTopLevel).includes(id));
    assert.deepEqual(rowIds(text, sectionsOnly), []);
  });

  test("orders: lowest rate first by default, the spec's order, by id", () => {
    const top = ids(summary.byTopLevel);
    const rate = new Map(summary.byTopLevel.map((r) => [r.id, r.rate ?? 2]));
    const byRate = rowIds(renderSummary(summary), top);
    assert.deepEqual([...byRate].sort(), [...top].sort());
    for (let i = 1; i < byRate.length; i++) {
      assert.ok((rate.get(byRate[i - 1] ?? "") ?? 0) <= (rate.get(byRate[i] ?? "") ?? 0), byRate.join(" "));
    }
    assert.notDeepEqual(byRate, top, "this run's lowest rates are not in spec order");
    const spec = loadSpec(SPEC);
    const place = (id: string) => spec.sections.findIndex((s) => s.id === id);
    const inSpecOrder = rowIds(renderSummary(summary, { sort: "spec" }), top);
    assert.deepEqual(
      inSpecOrder,
      [...top].sort((a, b) => place(a) - place(b)),
    );
    assert.deepEqual(top, inSpecOrder, "the summary itself is in spec order");
    assert.deepEqual(rowIds(renderSummary(summary, { sort: "name" }), top), [...top].sort());
    // Authority levels: the chain of command's order for `spec`.
    const levels = ids(summary.byAuthority);
    assert.deepEqual(
      rowIds(renderSummary(summary, { sort: "spec" }), levels).filter((l) => l !== "(none)"),
      ["root", "system", "developer", "user", "guideline"].filter((l) => levels.includes(l)),
    );
  });

  test("--all-sections adds every section with its numbers; the CLI prints the same report", async () => {
    const text = renderSummary(summary, { allSections: true, sort: "spec" });
    const sections = ids(summary.bySection).filter((id) => !ids(summary.byTopLevel).includes(id));
    assert.deepEqual(rowIds(text, sections), sections);
    for (const r of summary.bySection) {
      const table = text.slice(text.indexOf("By section"));
      const row = table.split("\n").find((l) => l.startsWith(`│ ${r.id} `)) ?? "";
      assert.ok(row.includes(`${r.compliant}/${r.graded}`) && row.includes(formatRate(r.rate, r.ci95)), r.id);
    }
    const cli = await runCli(["report", "latest", "--db", db, "--sort", "spec", "--all-sections"]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(cli.stdout, `${text}\n`);
    const short = await runCli(["report", "latest", "--db", db]);
    assert.equal(short.stdout, `${renderSummary(summary)}\n`);
    const bad = await runCli(["report", "latest", "--db", db, "--sort", "worst"]);
    assert.equal(bad.code, 2);
    assert.match(
      bad.stderr,
      /^modelspec: option '--sort <order>' argument 'worst' is invalid.*rate, spec, name/,
    );
    assert.equal(bad.stderr.split("\n").length, 2, "one line");
  });
});
