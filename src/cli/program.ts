import { createRequire } from "node:module";
import { Command } from "commander";
import { registerSpecCommands } from "./commands/spec.js";

const pkg = createRequire(import.meta.url)("../../package.json") as { version: string };

export function buildProgram(): Command {
  const program = new Command("modelspec")
    .description("Make the Model Spec executable: compile it, evaluate models against it, see the results.")
    .version(pkg.version)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`modelspec: ${text.replace(/^error: /, "")}`) })
    .showHelpAfterError("(run with --help for usage)");
  registerSpecCommands(program);
  return program;
}
