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
