import type { Command } from "commander";
import { renderCalibration } from "../../report/index.js";
import { calibrate, DEFAULTS } from "../../runs/index.js";
import { examples, printJson } from "../output.js";
import { collect, numberOption } from "../parse-options.js";
import { runInTerminal } from "../run-in-terminal.js";
import { addJudgeOptions, type JudgeFlags, judgeOptions } from "./judge-options.js";

export function registerCalibrateCommand(program: Command): void {
  const command = program
    .command("calibrate")
    .description("Check a judge on the spec's own labelled responses: GOOD should be compliant, BAD not")
    .option("--spec <dir|version>", "spec folder or fetched release", DEFAULTS.spec)
    .option("--section <id>", "only this section (repeatable)", collect, [])
    .addOption(numberOption("--limit <n>", "at most n labelled responses", "limit"))
    .addOption(numberOption("--seed <n>", "random subset with this seed (with --limit)", "seed"));
  addJudgeOptions(command)
    .addHelpText(
      "after",
      examples(
        "modelspec calibrate --judge openai:gpt-5",
        "modelspec calibrate --judge local:./judge.gguf --json",
        "modelspec calibrate --judge openai:gpt-5 --limit 20 --seed 1",
      ),
    )
    .action(async (f: JudgeFlags & { spec: string; section: string[]; limit?: number; seed?: number }) => {
      const { result, stopped } = await runInTerminal(f.progress && !f.json, (hooks) =>
        calibrate({
          spec: f.spec,
          section: f.section,
          limit: f.limit,
          seed: f.seed,
          ...judgeOptions(f),
          ...hooks,
        }),
      );
      if (f.json) printJson(result);
      else console.log(renderCalibration(result));
      process.exitCode = stopped ? 130 : 0;
    });
}
