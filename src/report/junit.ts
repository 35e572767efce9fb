import { create } from "xmlbuilder2";
import type { RunSummary } from "../runs/index.js";
import type { GradeRecord, RunResultRow } from "../store/index.js";
import { excerpt, formatRate } from "./format.js";

/** One run for `renderJunit`: its summary and its samples (e.g. `results.samples(runId)`). */
export interface JunitRun {
  summary: RunSummary;
  samples: Iterable<RunResultRow> | AsyncIterable<RunResultRow>;
}

/** Characters of the response, and of the judge's rationale, a test case shows. */
const RESPONSE_EXCERPT = 500;
const RATIONALE_EXCERPT = 300;

/**
 * A URL (any scheme, or a bare `www.` host): model output shown in a CI system's page is shown without links, so
 * a response cannot put a clickable link (or a tracking image) in front of whoever reads the test results. No
 * word boundary is asked for: a link glued to what comes before it (`\u001b[31mhttps://…`) is a link still.
 */
const LINK = /(?:[a-z][a-z0-9+.-]*:\/\/|www\.)\S*/gi;

/**
 * Every text handed to xmlbuilder2, with its ampersands escaped: its serializer escapes `<`, `>` and `"`, but
 * leaves an `&` that starts something shaped like a reference (`&amp;`, `&#0;`, `&foo;`) as it is — so a
 * response holding `&#0;` or `&foo;` would make the file unreadable, and `&amp;` would read back as `&`.
 */
const xmlText = (text: string) => text.replaceAll("&", "&amp;");

/** An attribute value on one line (XML parsers turn a raw tab or line break in an attribute into a space anyway). */
const oneLine = (text: string) => xmlText(text.replace(/[\t\n\r]/g, " "));

const linkFree = (text: string | null | undefined, max: number) =>
  excerpt((text ?? "").replace(LINK, "[link removed]"), max);

/** An element under construction (xmlbuilder2's builder type, which its main entry does not export by name). */
type XMLBuilder = ReturnType<typeof create>;

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

/**
 * Runs as JUnit XML, for CI systems' test reports: one `<testsuite>` per run (named by its model), one
 * `<testcase>` per sample and epoch (name: the sample id, followed by "(epoch N)" from the second epoch on;
 * classname: the section id). A non-compliant sample is a `<failure>` (the median score, the judge's rationale; the section
 * and a link-free excerpt of the response), an error or ungraded sample an `<error>` (its kind and message), a
 * sample not yet done (a stopped run) `<skipped>`. Built with xmlbuilder2, which escapes every text and
 * attribute; characters XML 1.0 forbids (most control characters, lone surrogates) become U+FFFD.
 *
 * @example
 * const results = openResults(".modelspec/results.db");
 * const run = results.findRun("latest");
 * writeFileSync("results.xml", await renderJunit([{ summary: results.summary(run), samples: results.samples(run.id) }]));
 * results.close();
 */
export async function renderJunit(runs: readonly JunitRun[]): Promise<string> {
  const doc = create({ version: "1.0", encoding: "UTF-8", invalidCharReplacement: "\ufffd" });
  const root = doc.ele("testsuites", { name: "modelspec" });
  const total: Counts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  for (const run of runs) {
    const counts = await addSuite(root, run);
    for (const key of Object.keys(total) as (keyof Counts)[]) total[key] += counts[key];
  }
  setCounts(root, total);
  return doc.end({ prettyPrint: true });
}

async function addSuite(root: XMLBuilder, { summary: s, samples }: JunitRun): Promise<Counts> {
  const suite = root.ele("testsuite", { name: oneLine(s.model) });
  const properties = suite.ele("properties");
  const property = (name: string, value: string) =>
    properties.ele("property", { name, value: oneLine(value) });
  property("run", s.runId);
  property("status", s.status);
  property("model", s.model);
  property("judge", s.judge);
  property("spec", s.spec.version ?? s.spec.hash);
  property("dataset", s.dataset);
  property("compliance", formatRate(s.overall.rate, s.overall.ci95));
  const counts: Counts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  for await (const row of samples) {
    counts.tests++;
    const testcase = suite.ele("testcase", {
      // Unique names: a run with several epochs names the second and later ones.
      name: oneLine(row.epoch > 1 ? `${row.sampleId} (epoch ${row.epoch})` : row.sampleId),
      classname: oneLine(row.sample.sectionId ?? "(none)"),
    });
    const v = row.verdict;
    if (v === null) {
      counts.skipped++;
      testcase.ele("skipped", { message: "pending: the run stopped before this sample was done" });
    } else if (v.status === "error" || v.status === "ungraded") {
      counts.errors++;
      const kind = v.status === "error" ? (v.errorKind ?? "error") : `ungraded:${v.errorKind ?? "judge"}`;
      testcase
        .ele("error", {
          type: oneLine(kind),
          message: oneLine(excerpt(`${kind}: ${v.errorMessage ?? ""}`, 300)),
        })
        .txt(xmlText(`section: ${sectionOf(row)}\n${v.errorMessage ?? ""}`));
    } else if (v.compliant === false) {
      counts.failures++;
      const rationale = linkFree(rationaleOf(row.grades, v.compliance), RATIONALE_EXCERPT);
      testcase
        .ele("failure", {
          type: "non-compliant",
          message: oneLine(
            `median score ${v.compliance ?? "?"} (compliant at ${s.grading.threshold} or above): ${rationale}`,
          ),
        })
        .txt(
          xmlText(
            [
              `section: ${sectionOf(row)}`,
              `judge's rationale: ${rationale}`,
              `response (excerpt, links removed): ${linkFree(row.completion?.text, RESPONSE_EXCERPT)}`,
            ].join("\n"),
          ),
        );
    }
  }
  setCounts(suite, counts);
  return counts;
}

function sectionOf(row: RunResultRow): string {
  const { sectionId, topLevelSectionId } = row.sample;
  const section = sectionId ?? "(none)";
  return topLevelSectionId && topLevelSectionId !== sectionId
    ? `${section} (under ${topLevelSectionId})`
    : section;
}

/** The rationale of the usable grade whose score is nearest the median (the one the verdict rests on). */
function rationaleOf(grades: readonly GradeRecord[], median: number | null): string {
  const distance = (g: GradeRecord) => Math.abs((g.compliance ?? 0) - (median ?? 0));
  const usable = grades.filter((g) => g.status === "ok" && g.compliance !== null);
  const nearest = usable.reduce<GradeRecord | undefined>(
    (best, g) => (best === undefined || distance(g) < distance(best) ? g : best),
    undefined,
  );
  return nearest?.rationale ?? "(no rationale)";
}

function setCounts(element: XMLBuilder, c: Counts): void {
  element.att({
    tests: String(c.tests),
    failures: String(c.failures),
    errors: String(c.errors),
    skipped: String(c.skipped),
  });
}
