import { type Command, Option } from "commander";
import { type GenerationSummary, generatePrompts } from "../../generate/index.js";
import { DEFAULTS } from "../../runs/index.js";
import { prompt } from "../config-flags.js";
import { examples, printJson } from "../output.js";
import { collect, numberOption } from "../parse-options.js";
import { runInTerminal } from "../run-in-terminal.js";
import { addJudgeOptions, type JudgeFlags, judgeOptions } from "./judge-options.js";

interface GenerateFlags extends Omit<JudgeFlags, "judge"> {
  judge?: string;
  spec: string;
  section: string[];
  top: string[];
  authority: string[];
  generator: string;
  generatorBaseUrl?: string;
  n: number;
  out: string;
  force?: boolean;
  maxTokens: number;
  temperature?: number;
  concurrency: number;
  batch: number;
  maxRequests?: number;
  maxAnswers: number;
  similarity: number;
  appPrompt?: string;
  adaptive?: boolean;
  against?: string;
  baseUrl?: string;
  againstMaxTokens: number;
  rounds: number;
}

export function registerGenerateCommand(program: Command): void {
  const command = program
    .command("generate")
    .description(
      "Write new eval prompts per section with a generator model: validated, near-duplicates removed, as JSONL",
    )
    .option("--spec <dir|version>", "spec folder or fetched release", DEFAULTS.spec)
    .option("--section <id>", "write prompts for this section (repeatable)", collect, [])
    .option("--top <id>", "for the sections under this top-level section (repeatable)", collect, [])
    .option("--authority <level>", "for the sections at this authority (repeatable)", collect, [])
    .addOption(
      new Option("--generator <provider:model>", "the model that writes the prompts").makeOptionMandatory(),
    )
    .option(
      "--generator-base-url <url>",
      "the generator's server (else OPENAI_BASE_URL / ANTHROPIC_BASE_URL)",
    )
    .addOption(numberOption("--n <n>", "prompts to keep per section", "generateCount").makeOptionMandatory())
    .requiredOption(
      "--out <file.jsonl>",
      "where the prompts go (Model Spec Evals JSONL, read by eval --dataset)",
    )
    .option("--force", "replace an existing --out file")
    .addOption(
      numberOption("--max-tokens <n>", "generator answer budget", "maxTokens", DEFAULTS.generatorMaxTokens),
    )
    .addOption(numberOption("--temperature <t>", "generator sampling temperature", "temperature"))
    .addOption(
      numberOption(
        "--concurrency <n>",
        "generator and candidate requests in flight at most",
        "concurrency",
        DEFAULTS.concurrency,
      ),
    )
    .addOption(
      numberOption(
        "--batch <n>",
        "prompts asked for per generator request",
        "generateBatch",
        DEFAULTS.generateBatch,
      ),
    )
    .addOption(
      numberOption(
        "--max-requests <n>",
        "generator requests per section at most (default: the batches --n needs, and 2 more to make up for rejected and duplicate prompts)",
        "generateRequests",
      ),
    )
    .addOption(
      numberOption(
        "--max-answers <n>",
        "answers asked for per request until one is valid JSON of the schema",
        "maxAnswers",
        DEFAULTS.maxAnswers,
      ),
    )
    .addOption(
      numberOption(
        "--similarity <j>",
        "word-shingle Jaccard similarity at or above which a prompt is a near-duplicate",
        "similarity",
        DEFAULTS.similarity,
      ),
    )
    .option(
      "--app-prompt <file|text>",
      "an app's developer prompt: write user attempts to override it and injections in tool output",
    )
    .option("--adaptive", "keep the prompts --against fails and ask for harder variants of them")
    .option("--against <provider:model>", "the candidate of --adaptive rounds")
    .option("--base-url <url>", "the candidate's server (else OPENAI_BASE_URL / ANTHROPIC_BASE_URL)")
    .addOption(
      numberOption("--against-max-tokens <n>", "candidate answer budget", "maxTokens", DEFAULTS.maxTokens),
    )
    .addOption(
      numberOption(
        "--rounds <k>",
        "adaptive rounds of harder variants",
        "adaptiveRounds",
        DEFAULTS.adaptiveRounds,
      ),
    );
  addJudgeOptions(command, false, false)
    .option("--json", "print the summary as JSON")
    .addHelpText(
      "after",
      examples(
        "modelspec generate --section letter_and_spirit --generator openai:gpt-5 --judge openai:gpt-5-mini --n 5 --out new.jsonl",
        'modelspec generate --section ignore_untrusted_data --app-prompt "You are Acme\'s support assistant. Only discuss Acme products." --generator openai:gpt-5 --judge openai:gpt-5-mini --n 2 --out app.jsonl',
        "modelspec generate --section letter_and_spirit --generator openai:gpt-5 --judge openai:gpt-5 --adaptive --against openai:gpt-4.1-mini --rounds 2 --n 3 --out hard.jsonl",
      ),
    )
    .action(async (f: GenerateFlags) => {
      const { label: _label, prices: _prices, ...judging } = judgeOptions({ ...f, judge: f.judge ?? "" });
      const appPrompt = prompt("--app-prompt", f.appPrompt);
      const { result, stopped } = await runInTerminal(false, ({ signal }) =>
        generatePrompts({
          ...judging,
          judge: f.judge,
          spec: f.spec,
          section: f.section,
          top: f.top,
          authority: f.authority,
          generator: f.generator,
          generatorBaseUrl: f.generatorBaseUrl,
          n: f.n,
          out: f.out,
          force: f.force ?? false,
          maxTokens: f.maxTokens,
          temperature: f.temperature,
          concurrency: f.concurrency,
          maxRequests: f.maxRequests,
          maxAnswers: f.maxAnswers,
          similarity: f.similarity,
          appPrompt,
          adaptive: f.adaptive ?? false,
          against: f.against,
          baseUrl: f.baseUrl,
          againstMaxTokens: f.againstMaxTokens,
          rounds: f.rounds,
          signal,
          // A stop ends the generation with the `aborted` error: what was done is stored, nothing is written.
        }).catch((error: unknown) => {
          if (signal.aborted) return null;
          throw error;
        }),
      );
      if (stopped || result === null) {
        process.stderr.write(
          "modelspec: stopped: nothing written; run the same command again to continue where it stopped\n",
        );
        process.exitCode = 130;
        return;
      }
      const { summary } = result;
      if (f.json) printJson(summary);
      else console.log(summaryLine(summary));
      process.exitCode = 0;
    });
}

/** One line: what was kept, rejected (by reason) and dropped as near-duplicates, and where it went. */
function summaryLine(s: GenerationSummary): string {
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
  const reasons = Object.entries(s.rejections)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(", ");
  const adaptive =
    s.passed + s.ungraded > 0 ? `, passed by the candidate ${s.passed}, ungraded ${s.ungraded}` : "";
  const from = `${count(s.generated, "prompt")} from ${count(s.requests, "request")} for ${count(s.sections, "section")}, ${count(s.invalidAnswers, "invalid generator answer")}${s.resumed ? ", resumed" : ""}`;
  const where = s.out === null ? ": nothing written" : ` → ${s.out}`;
  return `kept ${s.kept}, rejected ${s.rejected}${reasons ? ` (${reasons})` : ""}, duplicates ${s.duplicates}${adaptive} (${from})${where}`;
}
