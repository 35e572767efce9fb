import { type Command, Option } from "commander";
import { DEFAULTS } from "../../runs/index.js";
import { reasoningData, renderReasoningData } from "../../training/index.js";
import { prompt } from "../config-flags.js";
import { examples, printJson } from "../output.js";
import { numberOption } from "../parse-options.js";
import { runInTerminal } from "../run-in-terminal.js";
import { addJudgeOptions, type JudgeFlags, judgeOptions } from "./judge-options.js";
import { addSelectionOptions } from "./selection-options.js";

interface SftFlags extends JudgeFlags {
  reasoning: true;
  generator: string;
  out: string;
  force?: boolean;
  reasoningIn: "sidecar" | "field" | "text";
  maxAnswers: number;
  spec: string;
  dataset: string;
  section: string[];
  top: string[];
  authority: string[];
  tag: string[];
  limit?: number;
  seed?: number;
  maxTokens: number;
  temperature?: number;
  concurrency: number;
  baseUrl?: string;
  systemPrompt?: string;
  developerPrompt?: string;
}

/**
 * `modelspec data sft --reasoning`: spec-citing reasoning data for fine-tuning. Exit 0 when at least one answer
 * was kept, 1 when none was (the files are still written, empty), 2 for bad input, 130 when stopped (nothing
 * written).
 */
export function addDataSftCommand(data: Command): void {
  const selecting = data
    .command("sft")
    .description(
      "Reasoning data for fine-tuning: a generator answers each prompt citing the spec, the judge keeps compliant answers whose citations it relied on",
    )
    .addOption(
      new Option(
        "--reasoning",
        "reasoning that cites the spec, then the answer (the only kind so far)",
      ).makeOptionMandatory(),
    )
    .addOption(
      new Option(
        "--generator <provider:model>",
        "the model that writes reasoning and answers",
      ).makeOptionMandatory(),
    )
    .addOption(new Option("--out <file>", "the training file (chat fine-tuning JSONL)").makeOptionMandatory())
    .option("--force", "replace --out and its provenance sidecar when they exist")
    .addOption(
      new Option(
        "--reasoning-in <place>",
        "the reasoning in the provenance sidecar only, also a top-level field, or in the assistant text between <think> and </think>",
      )
        .choices(["sidecar", "field", "text"])
        .default("sidecar"),
    )
    .addOption(
      numberOption(
        "--max-answers <n>",
        "generator answers per prompt at most: one that is not the JSON asked for is counted and asked again",
        "maxAnswers",
        DEFAULTS.maxAnswers,
      ),
    )
    .option("--spec <dir|version>", "spec folder or fetched release", DEFAULTS.spec);
  const command = addSelectionOptions(selecting, "prompts")
    .addOption(
      numberOption("--max-tokens <n>", "generator answer budget", "maxTokens", DEFAULTS.sftMaxTokens),
    )
    .addOption(numberOption("--temperature <t>", "generator sampling temperature", "temperature"))
    .addOption(
      numberOption(
        "--concurrency <n>",
        "generator requests in flight at most",
        "concurrency",
        DEFAULTS.concurrency,
      ),
    )
    .option(
      "--base-url <url>",
      "the generator's server: OpenAI-compatible (else OPENAI_BASE_URL), or Anthropic's (else ANTHROPIC_BASE_URL)",
    )
    .option(
      "--system-prompt <file|text>",
      "your app's system prompt (a file's content, or the text): first in every conversation, and in the training lines",
    )
    .option(
      "--developer-prompt <file|text>",
      "your app's developer prompt (a file's content, or the text): after the system prompt, and in the training lines",
    );
  addJudgeOptions(command)
    .addHelpText(
      "after",
      examples(
        "modelspec data sft --reasoning --generator openai:gpt-5 --judge openai:gpt-5 --top stay_in_bounds --limit 10 --out stay-in-bounds.jsonl",
        "modelspec data sft --reasoning --generator openai:gpt-5 --judge openai:gpt-5 --section chain_of_command --reasoning-in text --out chain-of-command.jsonl --json",
      ),
    )
    .action(async (f: SftFlags) => {
      const { result, stopped } = await runInTerminal(f.progress && !f.json, (hooks) =>
        reasoningData({
          spec: f.spec,
          dataset: f.dataset,
          section: f.section,
          top: f.top,
          authority: f.authority,
          tag: f.tag,
          limit: f.limit,
          seed: f.seed,
          generator: f.generator,
          maxTokens: f.maxTokens,
          temperature: f.temperature,
          concurrency: f.concurrency,
          baseUrl: f.baseUrl,
          systemPrompt: prompt("--system-prompt", f.systemPrompt),
          developerPrompt: prompt("--developer-prompt", f.developerPrompt),
          maxAnswers: f.maxAnswers,
          out: f.out,
          force: f.force ?? false,
          reasoningIn: f.reasoningIn,
          ...judgeOptions(f),
          signal: hooks.signal,
          onProgress: (p) => hooks.onProgress({ ...p, runId: "data sft", resumed: false }),
          onWarning: (message) => process.stderr.write(`modelspec: warning: ${message}\n`),
        }),
      );
      if (f.json) printJson(result);
      else console.log(renderReasoningData(result));
      if (stopped) process.exitCode = 130;
      else if (result.kept === 0) {
        process.stderr.write(`modelspec: no answer was kept: ${result.out} is empty\n`);
        process.exitCode = 1;
      } else process.exitCode = 0;
    });
}
