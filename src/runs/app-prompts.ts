/**
 * Your assistant under test: an app's system and developer prompts, put at the head of every sample's
 * conversation at their authority. Done once, where the dataset is selected, so that the stored sample, the
 * candidate's request and the judge's transcript are the same conversation.
 */
import { readFileSync, type Stats, statSync } from "node:fs";
import { textMessage } from "../conversation/index.js";
import type { Sample } from "../dataset/index.js";
import { UsageError } from "../errors.js";

export interface AppPrompts {
  systemPrompt?: string | undefined;
  developerPrompt?: string | undefined;
}

/**
 * The samples with the app's prompts first: a system message with the system prompt, then a developer message
 * with the developer prompt, then the sample's own messages (its own system or developer messages included,
 * after the app's). Without prompts, the samples themselves.
 */
export function withAppPrompts(samples: Sample[], prompts: AppPrompts): Sample[] {
  const head = [
    ...(prompts.systemPrompt === undefined ? [] : [textMessage("system", prompts.systemPrompt)]),
    ...(prompts.developerPrompt === undefined ? [] : [textMessage("developer", prompts.developerPrompt)]),
  ];
  if (head.length === 0) return samples;
  return samples.map((sample) => ({ ...sample, input: [...head, ...sample.input] }));
}

/**
 * Whether a value given as a prompt was meant as a file: no whitespace, and a path separator or a file extension
 * (`prompts/system.md`, `system.txt`). Text such as "Answer in French." has a space and is text.
 */
function looksLikePath(value: string): boolean {
  return !/\s/.test(value) && (/[/\\]/.test(value) || /\.[A-Za-z0-9]{1,8}$/.test(value));
}

/**
 * The text of a `--system-prompt`/`--developer-prompt` value (a CLI flag or a config key): the content of the
 * file it names, if one exists (relative to the working folder; its final line break dropped), else the value
 * itself as text. A value that looks like a path but names no file is refused rather than sent as the prompt.
 * `name` starts every error message (`--system-prompt`, `modelspec.yaml:3: system-prompt`).
 */
export function appPromptText(name: string, value: string): string {
  let stat: Stats | undefined;
  try {
    stat = statSync(value);
  } catch {
    // No such file, or not a possible file name at all (a long text, a NUL byte): text, unless it looks like a path.
    stat = undefined;
  }
  if (stat?.isDirectory()) throw new UsageError(`${name}: '${value}' is a folder, expected a file or text`);
  const isFile = stat?.isFile() ?? false;
  if (!isFile) {
    if (looksLikePath(value)) throw new UsageError(`${name}: no such file '${value}'`);
    if (value.trim() === "") throw new UsageError(`${name}: expected a file or text, got nothing`);
    return value;
  }
  let text: string;
  try {
    text = readFileSync(value, "utf8").replace(/\r?\n$/, "");
  } catch (error) {
    throw new UsageError(
      `${name}: cannot read '${value}' (${(error as NodeJS.ErrnoException).code ?? "error"})`,
    );
  }
  if (text.trim() === "") throw new UsageError(`${name}: the file '${value}' is empty`);
  return text;
}
