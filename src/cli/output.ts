export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export async function printJsonLines(values: Iterable<unknown> | AsyncIterable<unknown>): Promise<void> {
  for await (const value of values) process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Adds an "Examples:" block to a command's --help. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}\n`;
}

/**
 * How stdout shows styled text: colour on a terminal unless NO_COLOR is set (https://no-color.org), plain
 * markers otherwise; lines as wide as the terminal, at most 100 columns.
 */
export function terminal(): { color: boolean; width: number } {
  const tty = process.stdout.isTTY === true;
  const noColor = (process.env.NO_COLOR ?? "") !== "";
  return { color: tty && !noColor, width: Math.min(tty ? (process.stdout.columns ?? 100) : 100, 100) };
}
