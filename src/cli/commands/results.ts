import { existsSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import {
  excerpt,
  percent,
  renderComparison,
  renderPairwise,
  renderTable,
  terminalText,
} from "../../report/index.js";
import { DEFAULTS, openResults, type Results, rateCell } from "../../runs/index.js";
import { examples, printJson, printJsonLines } from "../output.js";
import { addFormatOptions, emitReport, type FormatFlags, outputFormat } from "./report-output.js";
import { addReportOptions, type ReportFlags } from "./run-output.js";

/** Runs `read` on the database opened read-only, closing it after. */
async function withResults<T>(db: string, read: (results: Results) => T | Promise<T>): Promise<T> {
  const results = openResults(db);
  try {
    return await read(results);
  } finally {
    results.close();
  }
}

/** The commands that read stored results: runs, report, export, compare. */
export function registerResultCommands(program: Command): void {
  program
    .command("runs")
    .description("List the runs in the results database")
    .option("--db <file>", "results database", DEFAULTS.db)
    .option("--json", "print JSON")
    .addHelpText("after", examples("modelspec runs", "modelspec runs --json"))
    .action(async (opts: { db: string; json?: boolean }) => {
      // No database yet is no runs yet (nothing is created by listing).
      const runs = !existsSync(opts.db)
        ? []
        : await withResults(opts.db, (results) =>
            results.listRuns().map((run) => {
              const t = results.totals(run.id);
              return {
                ...run,
                samples: t.total,
                graded: t.graded,
                rate: rateCell(t).rate,
                errors: t.errors,
              };
            }),
          );
      if (opts.json) return printJson(runs);
      console.log(
        renderTable(
          ["run", "label", "created", "status", "spec", "model", "judge", "samples", "compliance", "errors"],
          runs.map((r) => [
            r.id,
            excerpt(terminalText(r.label ?? ""), 30),
            r.createdAt.slice(0, 16).replace("T", " "),
            r.status,
            r.specVersion ?? r.specHash.slice(0, 8),
            r.model,
            r.judge,
            r.samples,
            percent(r.rate),
            r.errors,
          ]),
        ),
      );
    });

  const report = program
    .command("report")
    .description(
      "Print a run's report: compliance with 95% intervals by top-level section, section and authority",
    )
    .argument("<run>", "run id, unique prefix, or latest")
    .option("--db <file>", "results database", DEFAULTS.db)
    .option("--spec <dir|version>", "spec to read section titles from (default: the run's own)")
    .option("--json", "print JSON")
    .option("--html <file>", "also write the report as one self-contained HTML file (charts, tables)");
  addReportOptions(addFormatOptions(report))
    .addHelpText(
      "after",
      examples(
        "modelspec report latest",
        "modelspec report latest --sort spec --all-sections",
        "modelspec report run-3f2a --json",
        "modelspec report latest --html report.html",
        "modelspec report latest --format markdown --output summary.md",
      ),
    )
    .action(
      async (ref: string, opts: { db: string; spec?: string; html?: string } & FormatFlags & ReportFlags) => {
        const format = outputFormat(opts);
        await withResults(opts.db, async (results) => {
          const run = results.findRun(ref);
          const summary = results.summary(run, { spec: opts.spec });
          if (opts.html) {
            // Loaded on use: the web stack costs every other command memory and start-up time.
            const { renderRunReportHtml } = await import("../../viewer/index.js");
            writeFileSync(opts.html, renderRunReportHtml(results, run, summary));
            process.stderr.write(`modelspec: wrote ${opts.html}\n`);
          }
          await emitReport([summary], {
            format,
            output: opts.output,
            gates: {},
            results: () => results,
            layout: { sort: opts.sort, allSections: opts.allSections },
          });
        });
      },
    );

  program
    .command("export")
    .description("Export a run, one sample per line: input, response, verdict and every grader sample")
    .argument("<run>", "run id, unique prefix, or latest")
    .option("--db <file>", "results database", DEFAULTS.db)
    .option("--jsonl", "one JSON object per line (the only format; replayable with --model replay:<file>)")
    .addHelpText("after", examples("modelspec export latest --jsonl > run.jsonl"))
    .action(async (ref: string, opts: { db: string }) => {
      await withResults(opts.db, (results) => printJsonLines(results.export(results.findRun(ref).id)));
    });

  program
    .command("compare")
    .description(
      "Compare runs on the samples both graded, with a paired (McNemar) test: two runs per section, more pair by pair",
    )
    .argument("<runs...>", "two or more runs (id, unique prefix, or latest); the first two: baseline, other")
    .option("--db <file>", "results database", DEFAULTS.db)
    .option("--json", "print JSON (more than two runs: {runs, pairs})")
    .addHelpText(
      "after",
      examples(
        "modelspec compare run-3f2a run-9c1b",
        "modelspec compare run-3f2a latest --json",
        "modelspec compare run-3f2a run-9c1b latest",
      ),
    )
    .action(async (refs: string[], opts: { db: string; json?: boolean }) => {
      await withResults(opts.db, (results) => {
        const pairs = results.comparePairwise(refs);
        if (pairs.length === 1 && pairs[0]) {
          if (opts.json) printJson(pairs[0]);
          else console.log(renderComparison(pairs[0]));
          return;
        }
        const runs = refs.map((ref) => results.findRun(ref)).map((r) => ({ id: r.id, model: r.model }));
        if (opts.json) printJson({ runs, pairs });
        else console.log(renderPairwise(pairs, Object.fromEntries(runs.map((r) => [r.id, r.model]))));
      });
    });
}
