import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { toJsonlRecord } from "../../dataset/index.js";
import { UsageError } from "../../errors.js";
import { createProvider } from "../../providers/index.js";
import { comparePairs, renderComparison } from "../../report/compare.js";
import { renderSummary } from "../../report/render.js";
import { summarizeRun } from "../../report/summary.js";
import { requestKey } from "../../runner/index.js";
import { compileSpecDir, resolveSpecLocation, type SpecModel } from "../../spec/index.js";
import { ResultStore, type RunRecord } from "../../store/index.js";
import { TOOL_VERSION } from "../../version.js";
import { examples, printJson, printJsonLines, renderTable } from "../output.js";
import {
  addJudgeOptions,
  DEFAULT_DB,
  type EvalOptions,
  execute,
  judgeContextFor,
  judgingFrom,
  withoutCredentials,
} from "./eval.js";

/** The spec a run was made with, when it can still be found (by version or the folder it came from). */
export function specOfRun(run: RunRecord, override?: string): SpecModel | null {
  const source = override ?? (run.params.specSource as string | undefined) ?? run.specVersion;
  if (!source) return null;
  try {
    const { model } = compileSpecDir(resolveSpecLocation(source));
    if (model.source.contentHash !== run.specHash && !override) return null;
    return model;
  } catch {
    return null;
  }
}

function openExisting(db: string): ResultStore {
  return ResultStore.open(db);
}

export function registerRunCommands(program: Command): void {
  program
    .command("runs")
    .description("List the runs in the results database")
    .option("--db <file>", "results database", DEFAULT_DB)
    .option("--json", "print JSON")
    .addHelpText("after", examples("modelspec runs", "modelspec runs --json"))
    .action((opts: { db: string; json?: boolean }) => {
      const store = openExisting(opts.db);
      try {
        const runs = store.listRuns().map((run) => {
          const s = summarizeRun(store, run.id, null);
          return {
            ...run,
            samples: s.samples,
            graded: s.overall.graded,
            rate: s.overall.rate,
            errors: s.errors,
          };
        });
        if (opts.json) return printJson(runs);
        console.log(
          renderTable(
            ["run", "created", "status", "spec", "model", "judge", "samples", "compliance", "errors"],
            runs.map((r) => [
              r.id,
              r.createdAt.slice(0, 16).replace("T", " "),
              r.status,
              r.specVersion ?? r.specHash.slice(0, 8),
              r.model,
              r.judge,
              r.samples,
              r.rate === null ? "—" : `${(r.rate * 100).toFixed(1)}%`,
              r.errors,
            ]),
          ),
        );
      } finally {
        store.close();
      }
    });

  program
    .command("report")
    .description(
      "Print a run's report: compliance with 95% intervals by top-level section, section and authority",
    )
    .argument("<run>", "run id, unique prefix, or latest")
    .option("--db <file>", "results database", DEFAULT_DB)
    .option("--spec <dir|version>", "spec to read section titles from (default: the run's own)")
    .option("--json", "print JSON")
    .option("--html <file>", "also write the report as one self-contained HTML file (charts, tables)")
    .addHelpText(
      "after",
      examples(
        "modelspec report latest",
        "modelspec report run-3f2a --json",
        "modelspec report latest --html report.html",
      ),
    )
    .action(async (ref: string, opts: { db: string; spec?: string; json?: boolean; html?: string }) => {
      const store = openExisting(opts.db);
      try {
        const run = store.findRun(ref);
        const summary = summarizeRun(store, run.id, specOfRun(run, opts.spec));
        if (opts.html) {
          const { renderRunReportHtml } = await import("../../viewer/index.js");
          writeFileSync(opts.html, renderRunReportHtml(store, run, summary));
          process.stderr.write(`modelspec: wrote ${opts.html}\n`);
        }
        if (opts.json) printJson(summary);
        else console.log(renderSummary(summary));
      } finally {
        store.close();
      }
    });

  program
    .command("export")
    .description("Export a run, one sample per line: input, response, verdict and every grader sample")
    .argument("<run>", "run id, unique prefix, or latest")
    .option("--db <file>", "results database", DEFAULT_DB)
    .option("--jsonl", "one JSON object per line (the only format; replayable with --model replay:<file>)")
    .addHelpText("after", examples("modelspec export latest --jsonl > run.jsonl"))
    .action((ref: string, opts: { db: string }) => {
      const store = openExisting(opts.db);
      try {
        const run = store.findRun(ref);
        printJsonLines(
          (function* () {
            for (const row of store.runResults(run.id)) {
              yield {
                runId: run.id,
                ...toJsonlRecord(row.sample),
                epoch: row.epoch,
                response: row.completion?.text ?? null,
                completionError: row.errorKind ? { kind: row.errorKind, message: row.errorMessage } : null,
                verdict: row.verdict,
                grades: row.grades.map((g) => ({
                  status: g.status,
                  compliance: g.compliance,
                  rationale: g.rationale,
                  reliedOn: g.reliedOn,
                  failureKind: g.failureKind,
                  raw: g.raw,
                })),
              };
            }
          })(),
        );
      } finally {
        store.close();
      }
    });

  const regrade = program
    .command("regrade")
    .description(
      "Grade a run's stored responses again with another judge or settings: a new run, no new completions",
    )
    .argument("<run>", "run id, unique prefix, or latest")
    .option("--spec <dir|version>", "spec (default: the run's own)");
  addJudgeOptions(regrade)
    .addHelpText(
      "after",
      examples("modelspec regrade latest --judge anthropic:claude-sonnet-4-5 --grader-samples 5"),
    )
    .action(async (ref: string, opts: Omit<EvalOptions, "model" | "dataset"> & { spec?: string }) => {
      const store = openExisting(opts.db);
      try {
        const parent = store.findRun(ref);
        const spec = specOfRun(parent, opts.spec);
        if (!spec) {
          throw new UsageError(
            `the spec of ${parent.id} (${parent.specVersion ?? parent.specHash.slice(0, 12)}) is not available; pass --spec`,
          );
        }
        const context = judgeContextFor(opts.judgeContext, opts.judge);
        const judging = judgingFrom(opts, context);
        const runId = `run-${requestKey({ parent: parent.id, judge: opts.judge, judging, base: withoutCredentials(opts.judgeBaseUrl) }).slice(0, 12)}`;
        const { resumed } = store.startRun({
          id: runId,
          toolVersion: TOOL_VERSION,
          specVersion: spec.source.version,
          specHash: spec.source.contentHash,
          dataset: parent.dataset,
          model: parent.model,
          judge: opts.judge,
          parentRunId: parent.id,
          params: { ...parent.params, judging, regradeOf: parent.id },
        });
        store.copySamples(parent.id, runId); // idempotent, like adding samples
        const judge = await createProvider(opts.judge, {
          baseURL: opts.judgeBaseUrl,
          threads: opts.threads,
          contextSize: opts.contextSize,
        });
        try {
          process.exitCode = await execute(store, runId, spec, null, judge, { ...opts, judging }, resumed);
        } finally {
          await judge.close?.();
        }
      } finally {
        store.close();
      }
    });

  program
    .command("compare")
    .description("Compare two runs per section on the samples both graded, with a paired (McNemar) test")
    .argument("<runA>", "baseline run")
    .argument("<runB>", "other run")
    .option("--db <file>", "results database", DEFAULT_DB)
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      examples("modelspec compare run-3f2a run-9c1b", "modelspec compare run-3f2a latest --json"),
    )
    .action((a: string, b: string, opts: { db: string; json?: boolean }) => {
      const store = openExisting(opts.db);
      try {
        const comparison = comparePairs(store, store.findRun(a), store.findRun(b));
        if (opts.json) printJson(comparison);
        else console.log(renderComparison(comparison));
      } finally {
        store.close();
      }
    });
}
