import { type Command, Option } from "commander";
import type { Rubric } from "../../judge/index.js";
import { renderEstimate } from "../../report/index.js";
import { DEFAULTS, type ErrorBudget, estimateRun, evaluateModels } from "../../runs/index.js";
import { applyConfigFile } from "../config-flags.js";
import { examples, printJson } from "../output.js";
import { distinctModels, errorBudget, numberOption, rate } from "../parse-options.js";
import { runInTerminal } from "../run-in-terminal.js";
import { addJudgeOptions, addRubricOption, type JudgeFlags, judgeOptions } from "./judge-options.js";
import { addFormatOptions, type FormatFlags, outputFormat } from "./report-output.js";
import { addReportOptions, finishEvalCommand, type ReportFlags } from "./run-output.js";
import { addSelectionOptions } from "./selection-options.js";

interface EvalFlags extends JudgeFlags, FormatFlags, ReportFlags {
  config?: string;
  spec: string;
  model: string[];
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
  maxErrors?: ErrorBudget;
  systemPrompt?: string;
  developerPrompt?: string;
  dryRun?: boolean;
  rubric: Rubric;
}

export function registerEvalCommand(program: Command): void {
  const selecting = program
    .command("eval")
    .description(
      "Evaluate a model against the spec: generate responses, grade them with a judge, report compliance",
    )
    .option(
      "--config <file>",
      "read options from this YAML file (default: ./modelspec.yaml if there is one); flags override it",
    )
    .addOption(new Option("--spec <dir|version>", "spec folder or fetched release").default(DEFAULTS.spec))
    .option(
      "--model <provider:model>",
      "candidate: openai:…, anthropic:…, local:<file.gguf>, replay:<file.jsonl> (repeatable: one run per model)",
      distinctModels,
      [],
    );
  const command = addSelectionOptions(selecting, "samples")
    .addOption(numberOption("--epochs <n>", "answer each sample n times", "epochs", DEFAULTS.epochs))
    .addOption(numberOption("--max-tokens <n>", "candidate answer budget", "maxTokens", DEFAULTS.maxTokens))
    .addOption(numberOption("--temperature <t>", "candidate sampling temperature", "temperature"))
    .addOption(
      numberOption(
        "--concurrency <n>",
        "candidate requests in flight at most",
        "concurrency",
        DEFAULTS.concurrency,
      ),
    )
    .option(
      "--base-url <url>",
      "the candidate's server: OpenAI-compatible (else OPENAI_BASE_URL), or Anthropic's (else ANTHROPIC_BASE_URL)",
    )
    .option(
      "--system-prompt <file|text>",
      "your app's system prompt (a file's content, or the text): a system message first in every sample",
    )
    .option(
      "--developer-prompt <file|text>",
      "your app's developer prompt (a file's content, or the text): a developer message after the system prompt",
    )
    .option(
      "--fail-under <rate>",
      "exit 1 when overall compliance is below this (0-1 or a percentage); errors then count against --max-errors",
      rate,
    )
    .option(
      "--max-errors <n|rate>",
      "exit 1 when more samples than this end as errors or ungraded (a count or a rate; 0 with --fail-under)",
      errorBudget,
    )
    .option(
      "--dry-run",
      "print the samples, calls, tokens and estimated cost, and stop: sends nothing, writes nothing",
    );
  addReportOptions(addFormatOptions(addRubricOption(addJudgeOptions(command, false)))).addHelpText(
    "after",
    examples(
      "modelspec eval --spec 2025-12-18 --model openai:gpt-4.1-mini --judge openai:gpt-5",
      "modelspec eval --model local:./qwen.gguf --judge local:./judge.gguf --judge-context section --limit 20",
      "modelspec eval --model openai:my-model --base-url http://localhost:8000/v1 --judge openai:gpt-5 --fail-under 0.8",
      "modelspec eval --model openai:gpt-4.1-mini --judge openai:gpt-5 --epochs 5 --fail-under 80% --max-errors 1%",
      'modelspec eval --model openai:gpt-4.1-mini --judge openai:gpt-5 --limit 20 --system-prompt "You are the support assistant of Acme Bank. Only discuss Acme products."',
      "modelspec eval --config modelspec.yaml --fail-under 80%",
      "modelspec eval --model openai:gpt-4.1-mini --model openai:gpt-4.1 --judge openai:gpt-5 --limit 30 --seed 1",
      "modelspec eval --model openai:gpt-4.1-mini --judge openai:gpt-5 --limit 30 --seed 1 --format junit --output results.xml --fail-under 80%",
      "modelspec eval --model openai:gpt-4.1-mini --judge openai:gpt-5 --limit 50 --dry-run",
      "modelspec eval --model openai:gpt-4.1-mini --judge openai:gpt-5 --limit 20 --rubric safe-completion",
    ),
  );
  command.action(async (flags: EvalFlags, cmd: Command) => {
    const f = applyConfigFile(cmd, flags);
    const format = outputFormat(f);
    if (f.dryRun) {
      const rest = runOptions(f);
      const estimates = [];
      for (const model of f.model) estimates.push(await estimateRun({ ...rest, model }));
      if (format === "json") printJson(estimates.length === 1 ? estimates[0] : { estimates });
      else
        console.log(
          `Dry run: nothing was sent and nothing written.\n\n${estimates.map((e) => renderEstimate(e)).join("\n\n")}`,
        );
      return;
    }
    // A progress bar (on a terminal stderr) only when stdout gets the text report, as before without --json.
    const bar = f.progress && (format === "text" || f.output !== undefined);
    const { result, stopped } = await runInTerminal(bar, (hooks) =>
      evaluateModels({
        ...runOptions(f),
        models: f.model,
        ...hooks,
        onWarning: (message) => process.stderr.write(`modelspec: warning: ${message}\n`),
      }),
    );
    process.exitCode = await finishEvalCommand(result, {
      models: f.model,
      format,
      output: f.output,
      db: f.db,
      stopped,
      gates: { failUnder: f.failUnder, maxErrors: f.maxErrors },
      layout: { sort: f.sort, allSections: f.allSections },
    });
  });
}

/** The options of a run from the flags, the model aside (a run per model, or an estimate per model). */
function runOptions(f: EvalFlags) {
  return {
    spec: f.spec,
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
    systemPrompt: f.systemPrompt,
    developerPrompt: f.developerPrompt,
    ...judgeOptions(f),
    rubric: f.rubric,
  };
}
