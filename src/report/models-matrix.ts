import type { RunSummary } from "../runs/index.js";
import { formatRate } from "./format.js";
import { renderTable } from "./table.js";

/**
 * Several runs side by side: compliance with its 95% interval (the runs' own, clustered by prompt when they have
 * epochs) overall and per top-level section, one column per run headed by its model, one row per section. What
 * `modelspec eval` prints after the runs' reports when given several `--model`s. A run without samples in a
 * section shows "—".
 *
 * @example
 * console.log(renderModelsMatrix(await evaluateModels({ models: ["openai:a", "openai:b"], judge: "openai:gpt-5" })));
 */
export function renderModelsMatrix(summaries: readonly RunSummary[]): string {
  const ids: string[] = [];
  for (const s of summaries) for (const row of s.byTopLevel) if (!ids.includes(row.id)) ids.push(row.id);
  const cell = (s: RunSummary, id: string) => {
    const row = s.byTopLevel.find((r) => r.id === id);
    return row ? `${formatRate(row.rate, row.ci95)} n=${row.graded}` : "—";
  };
  return [
    "Compliance [95% CI] by top-level section and model (n = graded samples)",
    renderTable(
      ["top-level section", ...summaries.map((s) => s.model)],
      [
        [
          "overall",
          ...summaries.map((s) => `${formatRate(s.overall.rate, s.overall.ci95)} n=${s.overall.graded}`),
        ],
        ...ids.map((id) => [id, ...summaries.map((s) => cell(s, id))]),
      ],
    ),
  ].join("\n");
}
