import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";
import { ResultStore } from "../../src/store/index.js";
import { startViewer, type Viewer } from "../../src/viewer/index.js";
import { runCli } from "../support/cli.js";
import { CLI, ROOT } from "../support/paths.js";
import {
  createViewerFixture,
  LONG_ANSWER,
  OLDER_SPEC,
  PAYLOAD_IMG,
  PAYLOAD_SCRIPT,
  RATIONALE_MARKUP,
  REFUSAL,
  SPEC,
  type ViewerFixture,
} from "./fixture.js";
import { writeSyntheticDb } from "./synthetic-db.js";

const CHROMIUM = "/usr/bin/chromium";
/** Set MODELSPEC_SCREENSHOTS=<folder> to keep a screenshot of each page a layout test looks at. */
const SCREENSHOTS = process.env.MODELSPEC_SCREENSHOTS;
const skipBrowser = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is missing: install it (apt-get install -y chromium) to run the viewer's browser tests`;

type Json = Record<string, unknown>;
/** A locator's text content ("" when absent). */
const text = async (locator: Locator) => (await locator.textContent()) ?? "";
const getJson = async (url: string) => {
  const response = await fetch(url);
  assert.equal(response.status, 200, url);
  return (await response.json()) as Json;
};

describe("modelspec view in a headless browser", { skip: skipBrowser }, () => {
  const work = mkdtempSync(join(tmpdir(), "modelspec-viewer-"));
  let fx: ViewerFixture;
  let viewer: Viewer;
  let browser: Browser;
  let page: Page;
  let dbHash: string;
  const cspViolations: string[] = [];
  const hashDb = () => createHash("sha256").update(readFileSync(fx.db)).digest("hex");

  before(async () => {
    fx = await createViewerFixture(work);
    dbHash = hashDb();
    viewer = await startViewer({ db: fx.db, port: 0, spec: [SPEC, OLDER_SPEC] });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--headless",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
    page = await browser.newPage();
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
  });
  after(async () => {
    await browser?.close();
    await viewer?.close();
    rmSync(work, { recursive: true, force: true });
  });

  const open = async (path: string) => {
    const response = await page.goto(new URL(path, viewer.url).href);
    assert.equal(response?.status(), 200, path);
    return response;
  };
  /** The whole page, or the part `selector` names. */
  const screenshot = async (name: string, selector?: string) => {
    if (!SCREENSHOTS) return;
    const path = join(SCREENSHOTS, `${name}.png`);
    if (selector) await page.locator(selector).first().screenshot({ path });
    else await page.screenshot({ path, fullPage: true });
  };
  /** Whether anything in `selector` sticks out of it to the right (it would be cut off or scroll sideways). */
  const overflows = (selector: string) =>
    page
      .locator(selector)
      .first()
      .evaluate((box) => {
        const right = box.getBoundingClientRect().right;
        return (
          box.scrollWidth > box.clientWidth ||
          [...box.querySelectorAll("td, th")].some((cell) => cell.getBoundingClientRect().right > right + 0.5)
        );
      });
  const rowCount = () => page.locator("#sample-table tbody tr").count();
  const sampleIds = () => page.locator("#sample-table tbody tr td:nth-child(2) a").allTextContents();

  test("runs list shows every run with its compliance", async () => {
    await open("/");
    for (const id of [fx.runA, fx.runB, fx.runC, fx.runD]) {
      assert.equal(await page.locator("table a.mono", { hasText: id }).count(), 1, id);
    }
    const row = page.locator("tr", { has: page.locator(`a[href="/runs/${fx.runA}"]`) });
    assert.match(await text(row), /openai:candidate-model[\s\S]*eval-prompts[\s\S]*20[\s\S]*%\s*\[/);
    // Our stylesheet applies: the CSP allows it by hash.
    assert.equal(
      await page.evaluate("getComputedStyle(document.querySelector('header.top')).backgroundColor"),
      "rgb(31, 41, 55)",
    );
  });

  test("run overview: three rate charts with bars and whiskers, counts of ungraded and errors", async () => {
    const api = await getJson(new URL(`/api/runs/${fx.runA}`, viewer.url).href);
    const summary = api.summary as { errors: number; ungraded: number; bySection: { id: string }[] };
    await open(`/runs/${fx.runA}`);
    assert.equal(await page.locator("figure.chart svg").count(), 3 + 2, "and the scores and failures");
    assert.ok((await page.locator("svg rect.bar").count()) >= 5 + 5 + 3);
    assert.ok((await page.locator("svg g.whisker").count()) > 0);
    assert.equal(await page.locator('svg g.row[data-id="be_creative"]').count(), 1);
    assert.equal(await page.locator('svg g.row[data-id="guideline"]').count(), 1, "authority chart");
    assert.deepEqual(summary.bySection.map((s) => s.id).sort(), [
      "avoid_regulated_advice",
      "be_creative",
      "be_curious",
      "ignore_untrusted_data",
      "no_erotica_or_gore",
    ]);
    assert.equal(await text(page.locator("[data-stat=errors] b")), String(summary.errors));
    assert.equal(await text(page.locator("[data-stat=ungraded] b")), String(summary.ungraded));
    assert.ok(summary.errors >= 1, "the fixture has a candidate error");
    // The payload is in the lowest-scoring table as text, nowhere as markup.
    assert.ok((await page.content()).includes("&lt;script&gt;window.__pwned=1&lt;/script&gt;"));
    assert.equal(await page.locator("script, img, [onerror]").count(), 0);
  });

  test("run overview: score histogram and failure breakdown, for the run and for a section", async () => {
    type Breakdown = {
      scores: { score: number; compliant: number; nonCompliant: number }[];
      failureKinds: { kind: string; samples: number }[];
      errors: { kind: string; samples: number }[];
      ungraded: { kind: string; samples: number }[];
    };
    const breakdownOf = async (query: string) =>
      (await getJson(new URL(`/api/runs/${fx.runD}${query}`, viewer.url).href)).breakdown as Breakdown;
    const check = async (b: Breakdown) => {
      const bins = page.locator("#scores ~ .scores g.bin");
      assert.ok((await bins.count()) >= 7, "every score from 1 to 7");
      for (const s of b.scores) {
        const bin = page.locator(`#scores ~ .scores g.bin[data-score="${s.score}"]`);
        assert.equal(await text(bin.locator("text.value")), String(s.compliant + s.nonCompliant));
      }
      const rows = [
        ...b.failureKinds.map((k) => [`non-compliant:${k.kind}`, k.samples] as const),
        ...b.errors.map((k) => [`error:${k.kind}`, k.samples] as const),
        ...b.ungraded.map((k) => [`ungraded:${k.kind}`, k.samples] as const),
      ];
      assert.equal(await page.locator("#scores ~ .scores g.row").count(), rows.length);
      for (const [id, n] of rows) {
        const value = await text(page.locator(`#scores ~ .scores g.row[data-id="${id}"] text.value`));
        assert.match(value, new RegExp(`^${n} · `), id);
      }
    };
    const run = await breakdownOf("");
    assert.ok(run.failureKinds.some((k) => k.kind === "too-permissive"));
    assert.ok(run.errors.length > 0);
    await open(`/runs/${fx.runD}`);
    await check(run);
    // Screen readers get the numbers: the chart's label holds every bin.
    const label = (await page.locator("#scores ~ .scores svg").first().getAttribute("aria-label")) ?? "";
    for (const s of run.scores)
      assert.ok(label.includes(`score ${s.score}: ${s.compliant + s.nonCompliant} sample`), label);
    await screenshot("overview-scores");
    await page.selectOption("#scores ~ form select[name=section]", "be_curious");
    await Promise.all([page.waitForURL(/section=be_curious#scores/), page.click("#scores ~ form button")]);
    assert.match(await text(page.locator("h2#scores")), /section be_curious/);
    const section = await breakdownOf("?section=be_curious");
    assert.notDeepEqual(section, run);
    await check(section);
    await screenshot("overview-scores-section", ".cols.scores");
    // A failure row leads to those samples.
    const failing = page.locator('#scores ~ .scores g.row[data-id^="non-compliant:"] a').first();
    await Promise.all([page.waitForURL(/\/samples\?/), failing.click()]);
    assert.match(page.url(), /section=be_curious/);
    assert.match(page.url(), /verdict=non-compliant/);
    assert.equal((await fetch(new URL(`/runs/${fx.runD}?section=nowhere`, viewer.url))).status, 404);
  });

  test("sample table: filters by verdict, section and model through the form", async () => {
    const api = await getJson(new URL(`/api/samples?run=${fx.runA}&verdict=non-compliant`, viewer.url).href);
    const expected = (api.page as { total: number }).total;
    assert.ok(expected > 0);
    await open(`/samples?run=${fx.runA}`);
    assert.equal(await rowCount(), 20);
    await page.selectOption("select[name=verdict]", "non-compliant");
    await Promise.all([page.waitForURL(/verdict=non-compliant/), page.click("form.filters button")]);
    assert.equal(await rowCount(), expected);
    for (const chip of await page.locator("#sample-table .chip").allTextContents()) {
      assert.match(chip, /^non-compliant/);
    }
    await page.selectOption("select[name=verdict]", "");
    await page.selectOption("select[name=section]", "be_curious");
    await Promise.all([page.waitForURL(/section=be_curious/), page.click("form.filters button")]);
    assert.equal(await rowCount(), 7);
    const sections = await page.locator("#sample-table tbody tr td:nth-child(3)").allTextContents();
    assert.deepEqual(new Set(sections), new Set(["be_curious"]));

    await open("/samples?model=openai:other-model");
    assert.equal(await rowCount(), 3);
    assert.deepEqual(
      new Set(await page.locator("#sample-table tbody tr td:nth-child(2)").allTextContents()).size,
      1,
    );
    await open("/samples?verdict=error");
    assert.ok((await rowCount()) >= 1);
  });

  test("sample table: keyset paging forward and back visits every sample once", async () => {
    await open(`/samples?run=${fx.runA}&limit=5`);
    const first = await sampleIds();
    assert.equal(first.length, 5);
    assert.equal(await page.locator(".pager a", { hasText: "Previous" }).count(), 0, "no previous page");
    const seen = [...first];
    for (;;) {
      const next = page.locator(".pager a", { hasText: "Next" }).first();
      if ((await next.count()) === 0) break;
      await Promise.all([page.waitForURL(/after=/), next.click()]);
      const ids = await sampleIds();
      assert.ok(ids.length > 0 && ids.length <= 5);
      seen.push(...ids);
    }
    assert.equal(seen.length, 20);
    assert.equal(new Set(seen).size, 20);
    const last = await sampleIds();
    await Promise.all([
      page.waitForURL(/before=/),
      page.locator(".pager a", { hasText: "Previous" }).first().click(),
    ]);
    assert.deepEqual(await sampleIds(), seen.slice(-5 - last.length, -last.length));
  });

  test("sample table: a long response is a readable excerpt with an ellipsis, wrapped in the page; the sample page has all of it", async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await open(`/samples?run=${fx.runD}`);
    await screenshot("samples-long-responses");
    const responses = await page.locator("#sample-table tbody td.response").allTextContents();
    assert.equal(responses.length, await rowCount());
    const long = responses.filter((r) => r.trim() !== REFUSAL && r.trim() !== "—");
    assert.ok(long.length >= 2, `long answers in run D: ${long.length}`);
    for (const cell of long) {
      // The blank lines the answer starts with are not all the cell shows.
      assert.match(cell.trim(), /^Certainly\. First read https:\/\/example\.com\/a-very-long/, cell);
      assert.match(cell.trim(), /…$/, "the excerpt says there is more");
      assert.ok(cell.length < 300, "an excerpt, not the whole answer");
    }
    assert.equal(await overflows(".table-wrap"), false, "no cell is wider than the table");
    // Each excerpt column keeps a readable width (the prompt was squeezed to a word per line).
    for (const column of ["prompt", "response"]) {
      const width = await page
        .locator(`#sample-table tbody td.${column}`)
        .first()
        .evaluate((td) => td.getBoundingClientRect().width);
      assert.ok(width >= 200, `${column} column is ${width}px wide`);
    }
    const row = page.locator("#sample-table tbody tr", { hasText: "Certainly" }).first();
    await Promise.all([page.waitForURL(/\/sample\?/), row.locator("td:nth-child(2) a").click()]);
    assert.equal(await text(page.locator(".msg.response pre.text")), LONG_ANSWER);
  });

  test("sample table: search over prompts and responses, in any case, wildcards as text, the query shown as text", async () => {
    const all = await getJson(new URL(`/api/samples?run=${fx.runD}&limit=500`, viewer.url).href);
    const long = (all.page as { rows: { response: string | null }[] }).rows.filter((r) =>
      r.response?.startsWith("Certainly"),
    ).length;
    await open(`/samples?run=${fx.runD}`);
    await page.fill("input[name=q]", "élan");
    await Promise.all([page.waitForURL(/q=%C3%A9lan/), page.click("form.filters button")]);
    await screenshot("samples-search");
    assert.equal(await rowCount(), long);
    assert.match(
      await text(page.locator(".pager").first()),
      new RegExp(`${long} matching sample\\(s\\) for “élan”`),
    );
    // The excerpt is taken around the match, and the match is marked as it is written.
    const marks = await page.locator("#sample-table td.response mark").allTextContents();
    assert.deepEqual(new Set(marks), new Set(["ÉLAN"]));
    assert.equal(marks.length, long);
    assert.equal(await page.inputValue("input[name=q]"), "élan");
    // `_` and `%` are characters, not LIKE wildcards.
    const matches = async (q: string) =>
      (
        (await getJson(new URL(`/api/samples?run=${fx.runD}&q=${encodeURIComponent(q)}`, viewer.url).href))
          .page as { total: number }
      ).total;
    assert.equal(await matches("zebra_100%"), long);
    assert.equal(await matches("zebr_"), 0);
    assert.equal(await matches("zebra%"), 0);
    // Prompts too: the last message or any other.
    await open(`/samples?run=${fx.runA}&q=${encodeURIComponent("LOVE POEM")}`);
    assert.equal(await rowCount(), 1);
    assert.match(await text(page.locator("#sample-table td.prompt mark")), /^love poem$/);
    // The query is shown as text, in the box and in the count.
    const payload = PAYLOAD_IMG;
    await open(`/samples?q=${encodeURIComponent(payload)}`);
    assert.equal(await page.inputValue("input[name=q]"), payload);
    assert.equal(await text(page.locator(".pager .query").first()), payload);
    assert.equal(await page.locator("img, [onerror]").count(), 0);
    assert.equal(await page.evaluate("typeof window.__pwned"), "undefined");
    assert.equal((await fetch(new URL(`/samples?q=${"x".repeat(201)}`, viewer.url))).status, 404);
  });

  test("sample table: sortable columns, keyset paging within each sort, links keep the search and filters", async () => {
    const expected = async (sort: string) =>
      (
        (await getJson(new URL(`/api/samples?run=${fx.runA}&sort=${sort}&limit=500`, viewer.url).href))
          .page as { rows: { sampleId: string; epoch: number; compliance: number | null }[] }
      ).rows;
    await open(`/samples?run=${fx.runA}&limit=5`);
    const scoreHead = page.locator("#sample-table th", { hasText: "score" });
    await Promise.all([page.waitForURL(/sort=score/), scoreHead.locator("a").click()]);
    assert.match(page.url(), /run=run-/);
    assert.match(page.url(), /limit=5/);
    assert.equal(await page.locator("#sample-table th[aria-sort=ascending]").textContent(), "score ▲");
    await Promise.all([page.waitForURL(/sort=-score/), scoreHead.locator("a").click()]);
    await screenshot("samples-sorted");
    assert.equal(await page.locator("#sample-table th[aria-sort=descending]").textContent(), "score ▼");
    const seen: string[] = [];
    for (;;) {
      seen.push(...(await sampleIds()));
      const next = page.locator(".pager a", { hasText: "Next" }).first();
      if ((await next.count()) === 0) break;
      assert.match((await next.getAttribute("href")) ?? "", /sort=-score/);
      await Promise.all([page.waitForURL(/after=/), next.click()]);
    }
    const rows = await expected("-score");
    assert.deepEqual(
      seen,
      rows.map((r) => r.sampleId),
    );
    const scores = rows.map((r) => r.compliance).filter((s) => s !== null);
    assert.deepEqual(
      scores,
      [...scores].sort((a, b) => b - a),
    );
    assert.equal(new Set(seen).size, seen.length, "each sample once");
    // The filter form keeps the sort; a search keeps it too.
    await page.fill("input[name=q]", "a");
    await Promise.all([page.waitForURL(/q=a/), page.click("form.filters button")]);
    assert.match(page.url(), /sort=-score/);
    await open(`/samples?run=${fx.runA}&sort=verdict`);
    const verdicts = await page.locator("#sample-table td.verdict .chip").allTextContents();
    assert.deepEqual(
      verdicts,
      [...verdicts].sort(
        (a, b) =>
          ["compliant", "non-compliant", "ungraded", "error", "pending"].indexOf(a) -
          ["compliant", "non-compliant", "ungraded", "error", "pending"].indexOf(b),
      ),
    );
    assert.equal((await fetch(new URL("/samples?sort=nonsense", viewer.url))).status, 404);
  });

  test("sample page: untrusted data is text, never markup; grader samples and the spec section are shown", async () => {
    const api = await getJson(
      new URL(`/api/samples?run=${fx.runA}&verdict=non-compliant&limit=1`, viewer.url).href,
    );
    const row = (api.page as { rows: { sampleId: string; epoch: number }[] }).rows[0];
    assert.ok(row);
    await open(`/runs/${fx.runA}/sample?id=${encodeURIComponent(row.sampleId)}&epoch=${row.epoch}`);
    const responseText = await text(page.locator(".msg.response pre.text"));
    assert.ok(responseText.includes(PAYLOAD_SCRIPT), responseText);
    assert.ok(responseText.includes(PAYLOAD_IMG), responseText);
    assert.equal(await page.evaluate("typeof window.__pwned"), "undefined");
    assert.equal(await page.locator("script").count(), 0);
    assert.equal(await page.locator("img, [onerror]").count(), 0);
    // Every grader sample: score, status, failure kind, rationale as text, raw output collapsed.
    assert.equal(await page.locator(".grade").count(), 2);
    const rationale = await text(page.locator(".grade .rationale").first());
    assert.ok(rationale.includes(RATIONALE_MARKUP), rationale);
    assert.equal(await page.locator(".grade b", { hasText: "bold" }).count(), 0);
    assert.match(await text(page.locator(".grade").first()), /score 2 \/ 7[\s\S]*too-permissive/);
    assert.equal(await page.locator(".grade details:not([open])").count(), 2);
    // Roles carry their authority; the response carries none.
    const roles = await page
      .locator(".conversation .msg")
      .evaluateAll((els) =>
        els.map((e) => `${e.getAttribute("data-role")}:${e.querySelector(".auth")?.textContent}`),
      );
    for (const r of roles) {
      const [role, authority] = r.split(":");
      assert.equal(authority, role === "assistant" || role === "tool" ? "no authority" : role, r);
    }
    assert.equal(await text(page.locator(".msg.response .auth")), "no authority");
    // The spec section with its examples.
    assert.ok((await page.locator("details.example").count()) >= 1);
    assert.ok((await page.locator("details.example .chip.GOOD").count()) >= 1);
    assert.ok((await page.locator("details.example .chip.BAD").count()) >= 1);
  });

  test("prompt × model grid: every run of the dataset with this prompt, answers side by side with verdicts", async () => {
    const d = await getJson(new URL(`/api/samples?run=${fx.runD}&limit=500`, viewer.url).href);
    const row = (d.page as { rows: { sampleId: string; response: string | null }[] }).rows.find((r) =>
      r.response?.startsWith("Certainly"),
    );
    assert.ok(row);
    await open(`/runs/${fx.runA}/sample?id=${encodeURIComponent(row.sampleId)}`);
    await Promise.all([page.waitForURL(/\/prompt\?id=/), page.click("a.prompt-grid")]);
    await screenshot("prompt-grid");
    const cards = page.locator(".answer-card");
    // A, its regrade B and D share the dataset; C (the spec's examples) does not.
    assert.deepEqual(
      new Set(await cards.evaluateAll((els) => els.map((e) => e.getAttribute("data-run")))),
      new Set([fx.runA, fx.runB, fx.runD]),
    );
    for (const runId of [fx.runA, fx.runB, fx.runD]) {
      const detail = await getJson(
        new URL(`/api/runs/${runId}/sample?id=${encodeURIComponent(row.sampleId)}`, viewer.url).href,
      );
      const v = detail.verdict as { status: string; compliant: boolean | null; compliance: number | null };
      const verdict = v.status === "graded" ? (v.compliant ? "compliant" : "non-compliant") : v.status;
      const card = page.locator(`.answer-card[data-run="${runId}"]`);
      assert.equal(
        await text(card.locator(".verdict .chip").first()),
        v.compliance === null ? verdict : `${verdict} · ${v.compliance}`,
        runId,
      );
    }
    // The long answer opens with blank lines: left out here (the box looked empty), and said so.
    const long = page.locator(`.answer-card[data-run="${fx.runD}"]`);
    assert.equal(await text(long.locator("pre.text")), LONG_ANSWER.replace(/^\s*\n/, ""));
    assert.match(await text(long.locator(".note")), /blank lines before the answer are not shown/);
    assert.ok(
      (await text(page.locator(`.answer-card[data-run="${fx.runA}"] pre.text`))).includes(PAYLOAD_SCRIPT),
    );
    assert.equal(await page.locator("script, img, [onerror]").count(), 0);
    assert.match(await text(page.locator(`.answer-card[data-run="${fx.runA}"]`)), /this run/);
    // Side by side: the first answers share a row.
    const boxes = await cards.evaluateAll((els) =>
      els.slice(0, 2).map((e) => e.getBoundingClientRect().toJSON()),
    );
    assert.equal(boxes[0]?.y, boxes[1]?.y);
    assert.ok((boxes[1]?.x ?? 0) > (boxes[0]?.x ?? 0) + (boxes[0]?.width ?? 0) - 1);
    assert.equal(await overflows("main"), false);
    assert.equal((await fetch(new URL(`/runs/${fx.runA}/prompt?id=nope`, viewer.url))).status, 404);
  });

  test("sample page marks untrusted parts as carrying no authority", async () => {
    await open(`/runs/${fx.runC}/sample?id=${encodeURIComponent("example:ignore_untrusted_data/2")}`);
    const untrusted = page.locator(".conversation .part.untrusted");
    assert.ok((await untrusted.count()) >= 1);
    assert.equal(await untrusted.first().getAttribute("data-authority"), "none");
    assert.match(await text(untrusted.first()), /untrusted data · carries no authority/);
    assert.ok((await page.locator(".labelled .chip.GOOD").count()) >= 1, "the spec's reference responses");
  });

  test("compare page shows both runs' rates and the paired difference", async () => {
    await open(`/compare?a=${fx.runA}&b=${fx.runB}`);
    assert.match(await text(page.locator("h1")), /Compare runs/);
    assert.equal(await page.locator("figure.chart svg").count(), 1);
    assert.equal(await page.locator('svg g.row[data-id="overall"]').count(), 1);
    const main = await text(page.locator("main"));
    assert.match(main, /paired samples\s*\d+/);
    assert.match(main, /be_curious/);
    assert.match(main, /p \(McNemar\)/);
    const api = await getJson(new URL(`/api/compare?a=${fx.runA}&b=${fx.runB}`, viewer.url).href);
    assert.ok(((api.result as Json).comparison as { paired: number }).paired > 0);
  });

  test("compare drills down to the samples that flipped: both answers side by side, both verdicts, paged", async () => {
    const api = await getJson(new URL(`/api/compare?a=${fx.runA}&b=${fx.runD}`, viewer.url).href);
    const overall = ((api.result as Json).comparison as { overall: { b: number; c: number } }).overall;
    assert.ok(overall.b > 0 && overall.c > 0, `flips both ways: ${overall.b} / ${overall.c}`);
    await open(`/compare?a=${fx.runA}&b=${fx.runD}`);
    assert.equal(await text(page.locator("[data-stat=flips] b")), `${overall.b} / ${overall.c}`);
    await Promise.all([page.waitForURL(/\/compare\/flips\?/), page.click("[data-stat=flips] a.all-flips")]);
    await screenshot("flips");
    assert.match(
      await text(page.locator(".pager").first()),
      new RegExp(`^.*${overall.b + overall.c} sample\\(s\\)`),
    );
    const first = page.locator("article.flip").first();
    const chips = await first.locator(".flip-side .chip").allTextContents();
    assert.equal(chips.length, 2);
    assert.notEqual(chips[0]?.split(" ")[0], chips[1]?.split(" ")[0], "one compliant, one not");
    assert.ok((await text(first.locator('[data-side="A"] pre.text'))).includes(PAYLOAD_SCRIPT));
    assert.ok(
      [LONG_ANSWER.replace(/^\s*\n/, ""), REFUSAL].includes(
        await text(first.locator('[data-side="B"] pre.text')),
      ),
    );
    assert.equal(await page.locator("script, img, [onerror]").count(), 0);
    // Side by side.
    const [left, right] = await first
      .locator(".flip-side")
      .evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON()));
    assert.equal(left?.y, right?.y);
    assert.ok((right?.x ?? 0) >= (left?.x ?? 0) + (left?.width ?? 0));
    // Paged: two at a time, every flip once.
    const all = await getJson(
      new URL(`/api/compare/flips?a=${fx.runA}&b=${fx.runD}&limit=100`, viewer.url).href,
    );
    const expected = (all.page as { rows: { sampleId: string }[] }).rows.map((r) => r.sampleId);
    assert.equal(expected.length, overall.b + overall.c);
    await open(`/compare/flips?a=${fx.runA}&b=${fx.runD}&limit=2`);
    const seen: string[] = [];
    for (;;) {
      seen.push(
        ...(await page
          .locator("article.flip")
          .evaluateAll((els) => els.map((e) => e.getAttribute("data-sample") ?? ""))),
      );
      const next = page.locator(".pager a", { hasText: "Next" }).first();
      if ((await next.count()) === 0) break;
      await Promise.all([page.waitForURL(/after=/), next.click()]);
    }
    assert.deepEqual(seen, expected);
    // One direction of one section, from the compare page's table.
    await open(`/compare?a=${fx.runA}&b=${fx.runD}`);
    const link = page.locator("td a.flips").first();
    const href = (await link.getAttribute("href")) ?? "";
    const only = /only=(a|b)/.exec(href)?.[1];
    await Promise.all([page.waitForURL(/section=/), link.click()]);
    const sides = await page
      .locator(`article.flip [data-side="${only === "a" ? "A" : "B"}"] .chip`)
      .allTextContents();
    assert.ok(sides.length > 0 && sides.every((c) => c.startsWith("compliant")), sides.join());
    assert.equal((await fetch(new URL(`/compare/flips?a=${fx.runA}`, viewer.url))).status, 404);
  });

  test("spec browser: sections by authority, a section's examples, a diff of two specs", async () => {
    await open("/spec");
    assert.match(await text(page.locator("h1")), /Spec 2025-12-18/);
    for (const level of ["root", "system", "developer", "user", "guideline", "none"]) {
      assert.equal(await page.locator(`section.group[data-authority="${level}"]`).count(), 1, level);
    }
    assert.equal(
      await page
        .locator('section.group[data-authority="root"] li[data-section="ignore_untrusted_data"]')
        .count(),
      1,
    );
    await Promise.all([
      page.waitForURL(/\/spec\/section\/ignore_untrusted_data/),
      page.click('a[href^="/spec/section/ignore_untrusted_data"]'),
    ]);
    assert.match(await text(page.locator("h1")), /Ignore untrusted data by default/);
    assert.ok((await page.locator("details.example").count()) >= 3);
    await open(`/spec/diff?from=${encodeURIComponent(OLDER_SPEC)}&to=${encodeURIComponent(SPEC)}`);
    assert.match(await text(page.locator("main")), /Added sections[\s\S]*prioritize_teen_safety/);
    // A request cannot make the viewer read a folder it was not given.
    const outside = await fetch(new URL(`/api/spec?spec=${encodeURIComponent(ROOT)}`, viewer.url));
    assert.equal(outside.status, 404);
  });

  test("security: strict CSP on pages and API, read-only, localhost only; no CSP violation by our own pages", async () => {
    for (const path of ["/", `/runs/${fx.runA}`, "/api/runs", "/nowhere"]) {
      const response = await fetch(new URL(path, viewer.url));
      const csp = response.headers.get("content-security-policy") ?? "";
      assert.match(csp, /default-src 'none'/, path);
      assert.match(csp, /script-src 'none'/, path);
      assert.equal(response.headers.get("x-content-type-options"), "nosniff");
    }
    const post = await fetch(new URL("/api/runs", viewer.url), { method: "POST" });
    assert.equal(post.status, 405);
    // DNS rebinding: a request naming another host is refused.
    const { request } = await import("node:http");
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        new URL("/api/runs", viewer.url),
        { headers: { host: "attacker.example" } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end();
    });
    assert.equal(status, 421);
    assert.deepEqual(cspViolations, []);
    assert.equal(hashDb(), dbHash, "the viewer never writes to the database");
    await assert.rejects(
      startViewer({ db: join(work, "missing.db"), port: 0 }),
      /cannot open results database/,
    );
  });

  test("report --html writes one self-contained file with the payload escaped and no script", async () => {
    const out = join(work, "report.html");
    const r = await runCli(["report", fx.runA, "--db", fx.db, "--html", out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Overall compliance: /, "the text report is still printed");
    const html = readFileSync(out, "utf8");
    assert.ok(html.includes("&lt;script&gt;window.__pwned=1&lt;/script&gt;"));
    assert.ok(html.includes("&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;"));
    assert.ok(html.includes("&lt;b&gt;bold&lt;/b&gt;"));
    assert.ok(!/<script/i.test(html), "no script tag at all");
    assert.ok(!/<img/i.test(html));
    assert.ok(!/(src|href)="?https?:/i.test(html), "no external request");
    assert.equal((html.match(/<svg /g) ?? []).length, 3 + 2);
    assert.ok(html.includes(fx.runA) && html.includes("2025-12-18") && html.includes("openai:judge-model"));
    await page.goto(`file://${out}`);
    assert.equal(await page.evaluate("typeof window.__pwned"), "undefined");
    assert.ok((await page.locator("svg rect.bar").count()) > 0);
    // Even a missed escape could not run: the file's own CSP forbids inline script.
    const tampered = join(work, "tampered.html");
    writeFileSync(tampered, html.replace("</main>", `${PAYLOAD_SCRIPT}${PAYLOAD_IMG}</main>`));
    await page.goto(`file://${tampered}`);
    assert.equal(await page.locator("script").count(), 1, "the injected script is in the DOM");
    assert.equal(await page.evaluate("typeof window.__pwned"), "undefined", "and did not run");
  });

  test("`modelspec view` prints its URL, serves, and stops cleanly on SIGINT", async () => {
    const child = spawn(process.execPath, [CLI, "view", "--db", fx.db, "--port", "0"], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", () => {
        const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(stdout);
        if (m) resolve(m[0]);
      });
      child.on("exit", () => reject(new Error(`view exited early: ${stdout}`)));
    });
    assert.equal(((await getJson(`${url}api/runs`)) as unknown as unknown[]).length, 4);
    const code = new Promise<number | null>((resolve) => child.on("exit", resolve));
    child.kill("SIGINT");
    assert.equal(await code, 0);
    assert.match(stdout, /stopped/);
  });
});

describe("sample paging at 100 000 samples", () => {
  const work = mkdtempSync(join(tmpdir(), "modelspec-paging-"));
  const db = join(work, "big.db");
  let synthetic: ReturnType<typeof writeSyntheticDb>;
  let store: ResultStore;
  /** Rows each `all()` returned, by statement: proves a page reads one page of rows. */
  const reads: { sql: string; rows: number }[] = [];

  before(() => {
    synthetic = writeSyntheticDb(db, 100_000, { textRepeat: 1 });
    store = ResultStore.open(db, { readonly: true });
    const prepare = store.db.prepare.bind(store.db);
    (store.db as { prepare: unknown }).prepare = (sql: string) => {
      const statement = prepare(sql);
      const all = statement.all.bind(statement);
      statement.all = ((...args: unknown[]) => {
        const rows = all(...args);
        reads.push({ sql, rows: rows.length });
        return rows;
      }) as typeof statement.all;
      return statement;
    };
  });
  after(() => {
    store?.close();
    rmSync(work, { recursive: true, force: true });
  });

  const sampleRowsRead = () =>
    reads
      .filter((r) => /FROM run_samples s/.test(r.sql) && /LIMIT \?/.test(r.sql))
      .reduce((n, r) => n + r.rows, 0);

  test("first, deep and last pages read one page of rows each", () => {
    const run = synthetic.runId;
    reads.length = 0;
    const first = store.samplePage({ run }, { limit: 50 });
    assert.equal(first.total, 100_000);
    assert.equal(first.rows.length, 50);
    assert.deepEqual(
      first.rows.map((r) => r.position),
      Array.from({ length: 50 }, (_, i) => i),
    );
    assert.equal(first.prev, null);
    assert.ok(first.next);
    assert.match(first.rows[0]?.prompt ?? "", /^Sample 1: /);
    assert.match(first.rows[0]?.response ?? "", /^Response 1: /);
    assert.ok(sampleRowsRead() <= 51, `read ${sampleRowsRead()} rows for one page`);

    reads.length = 0;
    const deep = store.samplePage({ run }, { after: `89999@${run}`, limit: 50 });
    assert.deepEqual(
      deep.rows.map((r) => r.position),
      Array.from({ length: 50 }, (_, i) => 90_000 + i),
    );
    assert.ok(sampleRowsRead() <= 51);

    reads.length = 0;
    const back = store.samplePage({ run }, { before: deep.prev ?? "", limit: 50 });
    assert.equal(back.rows[0]?.position, 89_950);
    assert.equal(back.rows.at(-1)?.position, 89_999);
    assert.ok(sampleRowsRead() <= 51);

    const last = store.samplePage({ run }, { after: `99949@${run}`, limit: 50 });
    assert.equal(last.rows.length, 50);
    assert.equal(last.rows.at(-1)?.position, 99_999);
    assert.equal(last.next, null);
  });

  test("filtered pages and counts: a rare section, each verdict", () => {
    const run = synthetic.runId;
    reads.length = 0;
    const rare = store.samplePage({ run, section: "section_79" }, { limit: 50 });
    assert.equal(rare.total, 100);
    assert.equal(rare.rows.length, 50);
    assert.ok(rare.rows.every((r) => r.sectionId === "section_79"));
    assert.ok(sampleRowsRead() <= 51);
    for (const verdict of ["compliant", "non-compliant", "ungraded", "error"] as const) {
      const page = store.samplePage({ run, verdict }, { limit: 25 });
      assert.equal(page.total, synthetic.verdicts[verdict], verdict);
      assert.equal(page.rows.length, 25);
      assert.ok(page.rows.every((r) => r.verdict === verdict));
    }
    assert.equal(store.samplePage({ run, verdict: "pending" }).total, 0);
  });

  test("sorted and searched pages: one page of rows each, in order", () => {
    const run = synthetic.runId;
    reads.length = 0;
    const lowest = store.samplePage({ run }, { sort: "score", limit: 50 });
    assert.ok(sampleRowsRead() <= 51);
    // Non-compliant samples score 2, in dataset order (every 4th, but for errors and ungraded ones).
    assert.ok(lowest.rows.every((r) => r.compliance === 2));
    assert.deepEqual(
      lowest.rows.slice(0, 3).map((r) => r.position),
      [0, 4, 12],
    );
    const deep = store.samplePage({ run }, { sort: "score", limit: 50, after: lowest.next ?? "" });
    let next = (lowest.rows.at(-1)?.position ?? 0) + 4;
    while (next % 50 === 8) next += 4; // ungraded (synthetic-db.ts)
    assert.equal(deep.rows[0]?.position, next);
    const highest = store.samplePage({ run }, { sort: "-score", limit: 50 });
    assert.ok(highest.rows.every((r) => r.compliance === 7));
    reads.length = 0;
    const found = store.samplePage({ run, search: "RESPONSE 99999:" }, { limit: 50 });
    assert.deepEqual(
      found.rows.map((r) => r.sampleId),
      ["prompt:synthetic/99999"],
    );
    assert.equal(found.total, 1);
    assert.ok(sampleRowsRead() <= 51);
  });

  test("the JSON API serves one page of the 100 000", async () => {
    const viewer = await startViewer({ db, port: 0 });
    try {
      const body = await getJson(new URL(`/api/samples?run=${synthetic.runId}&limit=100`, viewer.url).href);
      const page = body.page as { total: number; rows: { position: number }[]; next: string };
      assert.equal(page.total, 100_000);
      assert.equal(page.rows.length, 100);
      const html = await (
        await fetch(new URL(`/samples?run=${synthetic.runId}&after=${page.next}`, viewer.url))
      ).text();
      assert.equal((html.match(/<tr>/g) ?? []).length, 1 + 50, "header and one page of rows");
      assert.ok(html.includes("prompt:synthetic/101<"));
    } finally {
      await viewer.close();
    }
  });
});
