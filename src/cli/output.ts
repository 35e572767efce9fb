import Table from "cli-table3";

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printJsonLines(values: Iterable<unknown>): void {
  for (const value of values) process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** A plain table for humans; `head` are column titles. */
export function renderTable(head: string[], rows: (string | number)[][]): string {
  const table = new Table({ head, style: { head: [], border: [] } });
  for (const row of rows) table.push(row.map(String));
  return table.toString();
}

/** Adds an "Examples:" block to a command's --help. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}\n`;
}
