import { existsSync } from "node:fs";
import type { Command } from "commander";
import { UsageError } from "../errors.js";
import { appPromptText, CONFIG_FILE_NAME, readConfigFile } from "../runs/index.js";

/** The flags the config file can set, as commander names them (the rest are read as commander parsed them). */
interface ConfigurableFlags {
  config?: string;
  model: string[];
  judge?: string;
  systemPrompt?: string;
  developerPrompt?: string;
}

/** An app-prompt flag's value (`--system-prompt`, `--developer-prompt`, `--app-prompt`): a file's content, or the text. */
export const prompt = (flag: string, value: string | undefined): string | undefined =>
  value === undefined ? undefined : appPromptText(flag, value);

/**
 * The eval flags with the config file applied: `--config <file>`, else `./modelspec.yaml` when there is one. A
 * flag given on the command line wins over the file (lists too: a `--section` replaces the file's sections); the
 * file wins over the flags' defaults. System and developer prompts come back as their text. Without a model or a
 * judge from either, the command is refused as commander refuses a missing required option.
 */
export function applyConfigFile<F extends ConfigurableFlags>(command: Command, flags: F): F {
  const fromCli = (key: string) => command.getOptionValueSource(key) === "cli";
  const merged: F = {
    ...flags,
    systemPrompt: prompt("--system-prompt", flags.systemPrompt),
    developerPrompt: prompt("--developer-prompt", flags.developerPrompt),
  };
  const path = flags.config ?? (existsSync(CONFIG_FILE_NAME) ? CONFIG_FILE_NAME : undefined);
  if (path !== undefined) {
    // A file found rather than named could surprise: say which one this run reads.
    if (flags.config === undefined) process.stderr.write(`modelspec: reading options from ${path}\n`);
    const file = readConfigFile(path);
    const values: Record<string, unknown> = {
      ...file.options,
      ...file.gates,
      ...(file.models.length > 0 ? { model: file.models } : {}),
    };
    for (const [key, value] of Object.entries(values)) {
      if (!fromCli(key)) (merged as Record<string, unknown>)[key] = value;
    }
  }
  if (merged.model.length === 0) throw missing("--model <provider:model>");
  if (merged.judge === undefined) throw missing("--judge <provider:model>");
  return merged;
}

const missing = (flag: string) =>
  new UsageError(`required option '${flag}' not specified (on the command line or in ${CONFIG_FILE_NAME})`);
