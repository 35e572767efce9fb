import type { Command } from "commander";
import { DEFAULTS } from "../../runs/index.js";
import { collect, numberOption } from "../parse-options.js";

/**
 * The flags that choose samples as eval chooses them (`--dataset`, the section filters, `--limit`, `--seed`), for
 * every command that takes its prompts the same way (eval, data sft). `what` names the items in the help.
 */
export function addSelectionOptions(command: Command, what: "samples" | "prompts"): Command {
  return command
    .option(
      "--dataset <name|file>",
      `the ${what}: eval-prompts, examples, or a JSONL file (Model Spec Evals shape)`,
      DEFAULTS.dataset,
    )
    .option("--section <id>", `only ${what} of this section (repeatable)`, collect, [])
    .option("--top <id>", `only ${what} under this top-level section (repeatable)`, collect, [])
    .option("--authority <level>", "only sections at this authority (repeatable)", collect, [])
    .option("--tag <tag>", "only sections with this tag (repeatable)", collect, [])
    .addOption(numberOption("--limit <n>", `at most n ${what}`, "limit"))
    .addOption(numberOption("--seed <n>", "random subset with this seed (with --limit)", "seed"));
}
