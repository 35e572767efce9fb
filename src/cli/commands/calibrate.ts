import type { Command } from "commander";
import { renderCalibration } from "../../report/index.js";
import { calibrate, DEFAULTS } from "../../runs/index.js";
import { examples, printJson } from "../output.js";
import { collect } from "../parse-options.js";
import { runInTerminal } from "../run-in-terminal.js";
import { addJudgeOptions, type JudgeFlags, judgeOptions } from "./judge-options.js";

export function registerCalibrateCommand(program: Command): void {
  const command = program
    .command("calibrate")
    .description("Check a judge on the spec's own labelled responses: GOOD should be compliant, BAD not")
    .option("--spec <dir|version>", "spec folder or fetched release", DEFAULTS.spec)
    .option("--section <id>", "only this section (repeatable)", collect, []);
  addJudgeOptions(command)
    .addHelpText(
      "after",
      examples(
        "modelspec calibrate --judge openai:gpt-5",
        "modelspec calibrate --judge local:./judge.gguf --json",
      ),
    )
    .action(async (f: JudgeFlags & { spec: string; section: string[] }) => {
      const { result, stopped } = await runInTerminal(f.progress && !f.json, (hooks) =>
        calibrate({ spec: f.spec, section: f.section, ...judgeOptions(f), ...hooks }),
      );
      if (f.json) printJson(result);
      else console.log(renderCalibration(result));
      process.exitCode = stopped ? 130 : 0;
    });
}
