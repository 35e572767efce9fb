import { type Command, Option } from "commander";
import { count } from "../../report/index.js";
import { DEFAULTS } from "../../runs/index.js";
import { type PreferencePairsSummary, writePreferencePairs } from "../../training/index.js";
import { examples, printJson } from "../output.js";
import { collect, numberOption } from "../parse-options.js";
import { addDataSftCommand } from "./data-sft.js";

interface PairsFlags {
  spec: string;
  run: string[];
  db: string;
  examples: boolean;
  format: "dpo" | "trl";
  out: string;
  force?: boolean;
  minMargin: number;
  maxPairsPerPrompt?: number;
  json?: boolean;
}

/** One line: what was written where, pairs by source, and what the run rules left out. */
function summaryLine(s: PreferencePairsSummary): string {
  const { examples: ex, runs, capped } = s.counts;
  const left = [
    runs.belowMargin > 0 ? `${count(runs.belowMargin)} below the margin` : "",
    runs.identical > 0 ? `${count(runs.identical)} identical texts` : "",
    capped > 0 ? `${count(capped)} over the per-prompt cap` : "",
  ].filter((part) => part !== "");
  return (
    `${count(s.pairs)} preference pairs (${s.format}) → ${s.out}: ` +
    `${count(ex.pairs)} from ${count(ex.prompts)} spec example prompts, ` +
    `${count(runs.pairs)} from ${count(runs.prompts)} run prompts (${count(runs.responses)} graded responses)` +
    `${left.length > 0 ? `; left out: ${left.join(", ")}` : ""}; provenance → ${s.provenance}`
  );
}

/** `modelspec data`: training data made from the spec and the results (`pairs`, `sft`). */
export function registerDataCommands(program: Command): void {
  const data = program
    .command("data")
    .description(
      "Make training data from the spec and graded runs: preference pairs (pairs), reasoning data (sft)",
    )
    .addHelpText(
      "after",
      examples(
        "modelspec data pairs --spec 2025-12-18 --format dpo --out pairs.jsonl",
        "modelspec data sft --reasoning --generator openai:gpt-5 --judge openai:gpt-5 --limit 10 --out sft.jsonl",
      ),
    );
  addDataSftCommand(data);

  data
    .command("pairs")
    .description(
      "Write preference pairs (chosen vs rejected response) from the spec's GOOD/BAD examples and graded runs",
    )
    .option("--spec <dir|version>", "spec whose examples give pairs", DEFAULTS.spec)
    .option("--no-examples", "no pairs from the spec's examples (runs only)")
    .option(
      "--run <id>",
      "a graded run whose responses give pairs: id, prefix or latest (repeatable)",
      collect,
      [],
    )
    .option("--db <file>", "results database", DEFAULTS.db)
    .addOption(
      new Option("--format <format>", "dpo (OpenAI preference fine-tuning) or trl (TRL conversational)")
        .choices(["dpo", "trl"])
        .makeOptionMandatory(),
    )
    .requiredOption(
      "--out <file>",
      "training file (JSONL); provenance goes beside it (pairs.jsonl → pairs.provenance.jsonl)",
    )
    .option("--force", "replace the files if they exist")
    .addOption(
      numberOption(
        "--min-margin <points>",
        "run pairs: the chosen response scores at least this much above the rejected one",
        "minMargin",
        DEFAULTS.minMargin,
      ),
    )
    .addOption(
      numberOption(
        "--max-pairs-per-prompt <n>",
        "keep the n widest-margin pairs per prompt",
        "maxPairsPerPrompt",
      ),
    )
    .option("--json", "print the summary as JSON")
    .addHelpText(
      "after",
      examples(
        "modelspec data pairs --spec 2025-12-18 --format dpo --out pairs.jsonl",
        "modelspec data pairs --spec 2025-12-18 --run run-3f2a --run run-9c1d --format trl --out pairs-trl.jsonl --force",
        "modelspec data pairs --no-examples --run latest --min-margin 3 --max-pairs-per-prompt 4 --format dpo --out run-pairs.jsonl --json",
      ),
    )
    .action((f: PairsFlags) => {
      const summary = writePreferencePairs({
        spec: f.spec,
        examples: f.examples,
        runs: f.run,
        db: f.db,
        format: f.format,
        out: f.out,
        force: f.force ?? false,
        minMargin: f.minMargin,
        maxPairsPerPrompt: f.maxPairsPerPrompt,
      });
      if (f.json) printJson(summary);
      else console.log(summaryLine(summary));
    });
}
