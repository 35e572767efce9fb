import { existsSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { excerpt, percent, renderComparison, renderTable, terminalText } from "../../report/index.js";
import { DEFAULTS, openResults, type Results, rateCell } from "../../runs/index.js";
import { examples, printJson, printJsonLines } from "../output.js";
import { addReportOptions, type ReportFlags, summaryText } from "./run-output.js";

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
  addReportOptions(report)
    .addHelpText(
      "after",
      examples(
        "modelspec report latest",
        "modelspec report latest --sort spec --all-sections",
        "modelspec report run-3f2a --json",
        "modelspec report latest --html report.html",
      ),
    )
    .action(
      async (
        ref: string,
        opts: ReportFlags & { db: string; spec?: string; json?: boolean; html?: string },
      ) => {
        await withResults(opts.db, async (results) => {
          const run = results.findRun(ref);
          const summary = results.summary(run, { spec: opts.spec });
          if (opts.html) {
            // Loaded on use: the web stack costs every other command memory and start-up time.
            const { renderRunReportHtml } = await import("../../viewer/index.js");
            writeFileSync(opts.html, renderRunReportHtml(results, run, summary));
            process.stderr.write(`modelspec: wrote ${opts.html}\n`);
          }
          if (opts.json) printJson(summary);
          else console.log(summaryText(summary, opts));
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
    .description("Compare two runs per section on the samples both graded, with a paired (McNemar) test")
    .argument("<runA>", "baseline run")
    .argument("<runB>", "other run")
    .option("--db <file>", "results database", DEFAULTS.db)
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      examples("modelspec compare run-3f2a run-9c1b", "modelspec compare run-3f2a latest --json"),
    )
    .action(async (a: string, b: string, opts: { db: string; json?: boolean }) => {
      const comparison = await withResults(opts.db, (results) => results.compare(a, b));
      if (opts.json) printJson(comparison);
      else console.log(renderComparison(comparison));
    });
}
