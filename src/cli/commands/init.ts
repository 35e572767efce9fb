import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { CONFIG_FILE_NAME, starterConfig } from "../../runs/index.js";
import { examples } from "../output.js";

export function registerInitCommand(program: Command): void {
  program
    .command("init")
    .description(`Write a commented starter config file for eval (${CONFIG_FILE_NAME})`)
    .argument("[file]", "where to write it", CONFIG_FILE_NAME)
    .option("--force", "overwrite the file if it exists")
    .addHelpText(
      "after",
      examples(
        "modelspec init",
        "modelspec init ci/modelspec.yaml --force",
        "modelspec eval --config ci/modelspec.yaml",
      ),
    )
    .action((file: string, options: { force?: boolean }) => {
      mkdirSync(dirname(file), { recursive: true });
      try {
        // "wx": created only if absent, in one step (no window between a check and the write).
        writeFileSync(file, starterConfig(), { flag: options.force ? "w" : "wx" });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "EEXIST") throw new UsageError(`${file} already exists (--force to overwrite it)`);
        throw new UsageError(`${file}: cannot write (${code ?? "error"})`);
      }
      const run = file === CONFIG_FILE_NAME ? "modelspec eval" : `modelspec eval --config ${file}`;
      console.log(`Wrote ${file}. Edit it, then run: ${run}`);
    });
}
