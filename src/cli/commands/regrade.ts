import type { Command } from "commander";
import type { Rubric } from "../../judge/index.js";
import { regrade } from "../../runs/index.js";
import { examples } from "../output.js";
import { runInTerminal } from "../run-in-terminal.js";
import { addJudgeOptions, addRubricOption, type JudgeFlags, judgeOptions } from "./judge-options.js";
import { addReportOptions, finishRunCommand, type ReportFlags } from "./run-output.js";

export function registerRegradeCommand(program: Command): void {
  const command = program
    .command("regrade")
    .description(
      "Grade a run's stored responses again with another judge or settings: a new run, no new completions",
    )
    .argument("<run>", "run id, unique prefix, or latest")
    .option("--spec <dir|version>", "spec (default: the run's own)");
  addReportOptions(addRubricOption(addJudgeOptions(command)))
    .addHelpText(
      "after",
      examples(
        "modelspec regrade latest --judge anthropic:claude-sonnet-4-5 --grader-samples 5",
        "modelspec regrade latest --judge openai:gpt-5 --rubric safe-completion",
      ),
    )
    .action(async (ref: string, f: JudgeFlags & ReportFlags & { spec?: string; rubric: Rubric }) => {
      const { result, stopped } = await runInTerminal(f.progress && !f.json, (hooks) =>
        regrade({ run: ref, spec: f.spec, ...judgeOptions(f), rubric: f.rubric, ...hooks }),
      );
      process.exitCode = finishRunCommand(result, {
        json: f.json,
        stopped,
        sort: f.sort,
        allSections: f.allSections,
      });
    });
}
