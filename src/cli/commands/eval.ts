import { type Command, Option } from "commander";
import { DEFAULTS, evaluate } from "../../runs/index.js";
import { examples } from "../output.js";
import { collect, float, integer, rate } from "../parse-options.js";
import { runInTerminal } from "../run-in-terminal.js";
import { addJudgeOptions, type JudgeFlags, judgeOptions } from "./judge-options.js";
import { finishRunCommand } from "./run-output.js";

interface EvalFlags extends JudgeFlags {
  spec: string;
  model: string;
  dataset: string;
  section: string[];
  top: string[];
  authority: string[];
  tag: string[];
  limit?: number;
  seed?: number;
  epochs: number;
  maxTokens: number;
  temperature?: number;
  concurrency: number;
  baseUrl?: string;
  failUnder?: number;
}

export function registerEvalCommand(program: Command): void {
  const command = program
    .command("eval")
    .description(
      "Evaluate a model against the spec: generate responses, grade them with a judge, report compliance",
    )
    .addOption(new Option("--spec <dir|version>", "spec folder or fetched release").default(DEFAULTS.spec))
    .requiredOption(
      "--model <provider:model>",
      "candidate: openai:…, anthropic:…, local:<file.gguf>, replay:<file.jsonl>",
    )
    .option(
      "--dataset <name|file>",
      "eval-prompts, examples, or a JSONL file (Model Spec Evals shape)",
      DEFAULTS.dataset,
    )
    .option("--section <id>", "only samples of this section (repeatable)", collect, [])
    .option("--top <id>", "only samples under this top-level section (repeatable)", collect, [])
    .option("--authority <level>", "only sections at this authority (repeatable)", collect, [])
    .option("--tag <tag>", "only sections with this tag (repeatable)", collect, [])
    .option("--limit <n>", "at most n samples", integer)
    .option("--seed <n>", "random subset with this seed (with --limit)", integer)
    .option("--epochs <n>", "answer each sample n times", integer, DEFAULTS.epochs)
    .option("--max-tokens <n>", "candidate answer budget", integer, DEFAULTS.maxTokens)
    .option("--temperature <t>", "candidate sampling temperature", float)
    .option("--concurrency <n>", "candidate requests in flight at most", integer, DEFAULTS.concurrency)
    .option("--base-url <url>", "OpenAI-compatible server for the candidate (else OPENAI_BASE_URL)")
    .option(
      "--fail-under <rate>",
      "exit 1 when overall compliance is below this (0-1 or a percentage)",
      rate,
    );
  addJudgeOptions(command).addHelpText(
    "after",
    examples(
      "modelspec eval --spec 2025-12-18 --model openai:gpt-4.1-mini --judge openai:gpt-5",
      "modelspec eval --model local:./qwen.gguf --judge local:./judge.gguf --judge-context section --limit 20",
      "modelspec eval --model openai:my-model --base-url http://localhost:8000/v1 --judge openai:gpt-5 --fail-under 0.8",
    ),
  );
  command.action(async (f: EvalFlags) => {
    const { result, stopped } = await runInTerminal(f.progress && !f.json, (hooks) =>
      evaluate({
        spec: f.spec,
        model: f.model,
        dataset: f.dataset,
        section: f.section,
        top: f.top,
        authority: f.authority,
        tag: f.tag,
        limit: f.limit,
        seed: f.seed,
        epochs: f.epochs,
        maxTokens: f.maxTokens,
        temperature: f.temperature,
        concurrency: f.concurrency,
        baseUrl: f.baseUrl,
        ...judgeOptions(f),
        ...hooks,
        onWarning: (message) => process.stderr.write(`modelspec: warning: ${message}\n`),
      }),
    );
    process.exitCode = finishRunCommand(result, { json: f.json, stopped, failUnder: f.failUnder });
  });
}
