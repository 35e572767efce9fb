import { Command } from "commander";
import { TOOL_VERSION } from "../version.js";
import { registerCalibrateCommand } from "./commands/calibrate.js";
import { registerDataCommands } from "./commands/data.js";
import { registerEvalCommand } from "./commands/eval.js";
import { registerInitCommand } from "./commands/init.js";
import { registerRegradeCommand } from "./commands/regrade.js";
import { registerResultCommands } from "./commands/results.js";
import { registerServeCommand } from "./commands/serve.js";
import { registerSpecCommands } from "./commands/spec.js";
import { registerViewCommand } from "./commands/view.js";
import { examples } from "./output.js";

export function buildProgram(): Command {
  const program = new Command("modelspec")
    .description("Make the Model Spec executable: compile it, evaluate models against it, see the results.")
    .version(TOOL_VERSION)
    .exitOverride()
    // One line for a bad flag or argument, as for every other mistake.
    .configureOutput({
      outputError: (text, write) =>
        write(`modelspec: ${text.replace(/^error: /, "").trimEnd()} (see --help)\n`),
    })
    .addHelpText(
      "after",
      examples(
        "modelspec spec list --spec 2025-12-18 --authority root",
        "modelspec eval --spec 2025-12-18 --model openai:gpt-4.1-mini --judge openai:gpt-5",
        "modelspec report latest",
      ),
    );
  registerSpecCommands(program);
  registerEvalCommand(program);
  registerInitCommand(program);
  registerResultCommands(program);
  registerRegradeCommand(program);
  registerCalibrateCommand(program);
  registerViewCommand(program);
  registerServeCommand(program);
  registerDataCommands(program);
  return program;
}
