import type { Command } from "commander";
import { examples } from "../output.js";
import { addDataSftCommand } from "./data-sft.js";

/** `modelspec data …`: training data made from the spec (see docs/training-data.md). */
export function registerDataCommands(program: Command): void {
  const data = program
    .command("data")
    .description("Make training data from the spec: reasoning data for fine-tuning (sft)")
    .addHelpText(
      "after",
      examples(
        "modelspec data sft --reasoning --generator openai:gpt-5 --judge openai:gpt-5 --limit 10 --out sft.jsonl",
      ),
    );
  addDataSftCommand(data);
}
