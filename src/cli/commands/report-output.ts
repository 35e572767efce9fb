import { accessSync, appendFileSync, constants } from "node:fs";
import { dirname, resolve } from "node:path";
import { type Command, Option } from "commander";
import { UsageError } from "../../errors.js";
import { writeFilesAtomically } from "../../output-files.js";
import {
  renderJunit,
  renderMarkdownSummary,
  renderModelsMatrix,
  renderSummary,
  type SummaryTextOptions,
} from "../../report/index.js";
import type { GateOptions, Results, RunSummary } from "../../runs/index.js";

const FORMATS = ["text", "json", "markdown", "junit"] as const;
export type OutputFormat = (typeof FORMATS)[number];

/** The flags `addFormatOptions` adds, as commander parses them (with the command's own `--json`). */
export interface FormatFlags {
  format?: OutputFormat;
  output?: string;
  json?: boolean;
}

/** `--format` and `--output`, for the commands that print a run's report (eval, report). */
export function addFormatOptions(command: Command): Command {
  return command
    .addOption(new Option("--format <format>", "report format (--json is --format json)").choices(FORMATS))
    .option(
      "--output <file>",
      "write the --format output to this file (whole, or not at all); stdout then shows the text report",
    );
}

/**
 * The format the flags ask for (`--json` is `--format json`), after checking that `--output` can be written: a
 * mistake there is said before any work, not after a long run.
 */
export function outputFormat(f: FormatFlags): OutputFormat {
  if (f.json && f.format !== undefined && f.format !== "json") {
    throw new UsageError(`--json is --format json: give --format ${f.format} or --json, not both`);
  }
  if (f.output !== undefined) {
    const folder = dirname(resolve(f.output));
    try {
      accessSync(folder, constants.W_OK);
    } catch {
      throw new UsageError(
        `--output ${f.output}: cannot write in ${folder} (no such folder, or not writable)`,
      );
    }
  }
  return f.json ? "json" : (f.format ?? "text");
}

/** Several runs' text reports, one after the other, then the matrix of all of them. */
function textReport(summaries: readonly RunSummary[], layout: SummaryTextOptions): string {
  const reports = summaries.map((s) => renderSummary(s, layout));
  if (summaries.length > 1) reports.push(renderModelsMatrix(summaries));
  return reports.join(`\n\n${"─".repeat(80)}\n\n`);
}

async function render(
  format: OutputFormat,
  summaries: readonly RunSummary[],
  results: () => Results,
  gates: GateOptions,
  layout: SummaryTextOptions,
): Promise<string> {
  switch (format) {
    case "text":
      return `${textReport(summaries, layout)}\n`;
    case "json":
      // One run: its summary, as always; several: all of them under `runs`.
      return `${JSON.stringify(summaries.length === 1 ? summaries[0] : { runs: summaries }, null, 2)}\n`;
    case "markdown":
      return renderMarkdownSummary(summaries, gates);
    case "junit": {
      const r = results();
      return renderJunit(summaries.map((summary) => ({ summary, samples: r.samples(summary.runId) })));
    }
  }
}

/**
 * Prints (or writes to `--output`) runs' reports in the asked format, with `notes` after a text report on stdout,
 * and appends the Markdown summary to `$GITHUB_STEP_SUMMARY` when it is set. `results` opens the database for
 * the JUnit format, which lists every sample.
 */
export async function emitReport(
  summaries: readonly RunSummary[],
  options: {
    format: OutputFormat;
    output?: string;
    gates: GateOptions;
    results: () => Results;
    notes?: string[];
    /** The text report's order and length (--sort, --all-sections). */
    layout?: SummaryTextOptions;
  },
): Promise<void> {
  const { format, output, gates } = options;
  const layout = options.layout ?? {};
  const rendered = await render(format, summaries, options.results, gates, layout);
  const notes = options.notes?.length ? `\n${options.notes.join("\n")}\n` : "";
  if (output === undefined) process.stdout.write(format === "text" ? `${rendered}${notes}` : rendered);
  else {
    writeFilesAtomically([{ path: output, text: rendered }], "--output");
    process.stderr.write(`modelspec: wrote ${output}\n`);
    if (format !== "text") process.stdout.write(`${textReport(summaries, layout)}\n${notes}`);
  }
  const stepSummary = process.env.GITHUB_STEP_SUMMARY;
  if (stepSummary) {
    const markdown = format === "markdown" ? rendered : renderMarkdownSummary(summaries, gates);
    try {
      appendFileSync(stepSummary, `${markdown}\n`);
    } catch (error) {
      process.stderr.write(
        `modelspec: warning: cannot append to GITHUB_STEP_SUMMARY (${(error as NodeJS.ErrnoException).code ?? "error"})\n`,
      );
    }
  }
}
