import Table from "cli-table3";

/** How a table is laid out: `compact` draws no rule between rows; `align` per column (default left). */
export interface TableLayout {
  compact?: boolean;
  align?: ("left" | "right")[];
}

/**
 * A plain text table for a terminal; `head` are the column titles.
 *
 * @example
 * renderTable(["section", "rate"], [["be_creative", "72.4%"]]);
 */
export function renderTable(head: string[], rows: (string | number)[][], layout: TableLayout = {}): string {
  const table = new Table({
    head,
    style: { head: [], border: [], compact: layout.compact ?? false },
    ...(layout.align ? { colAligns: layout.align } : {}),
  });
  for (const row of rows) table.push(row.map(String));
  return table.toString();
}
