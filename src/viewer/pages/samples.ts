/** The sample table: a GET filter form, keyset pager links, one page of rows with short excerpts. */

import { count } from "../../report/index.js";
import { type SamplePage, VERDICT_FILTERS } from "../../store/index.js";
import { html, query, type SafeHtml } from "../html.js";
import { urls } from "../urls.js";
import { table, verdictChip } from "./parts.js";

/** Page sizes the form offers. */
const PAGE_SIZES = [25, 50, 100, 200] as const;

export interface SampleTableOptions {
  runs: { id: string; model: string }[];
  models: string[];
  sections: string[];
}

function select(
  name: string,
  label: string,
  current: string | undefined,
  options: [string, string][],
): SafeHtml {
  const items = options.map(
    ([value, text]) =>
      html`<option value="${value}"${value === (current ?? "") ? html` selected` : ""}>${text}</option>`,
  );
  return html`<label>${label}<select name="${name}">${items}</select></label>`;
}

function pager(page: SamplePage): SafeHtml {
  const base = { ...page.filter, limit: page.limit === 50 ? undefined : page.limit };
  const link = (label: string, cursor: Record<string, string> | null) =>
    cursor
      ? html`<a href="${`/samples${query({ ...base, ...cursor })}`}">${label}</a>`
      : html`<span class="disabled">${label}</span>`;
  return html`<div class="pager">${link("« First", page.prev ? {} : null)}${link(
    "‹ Previous",
    page.prev ? { before: page.prev } : null,
  )}${link("Next ›", page.next ? { after: page.next } : null)}<span class="muted">${count(page.total)} matching sample(s), ${page.rows.length} on this page</span></div>`;
}

export function samplesPage(page: SamplePage, options: SampleTableOptions): SafeHtml {
  const f = page.filter;
  const form = html`<form class="filters" method="get" action="/samples">
${select("run", "run", f.run, [["", "all runs"], ...options.runs.map((r): [string, string] => [r.id, `${r.id} · ${r.model}`])])}
${select("model", "model", f.model, [["", "all models"], ...options.models.map((m): [string, string] => [m, m])])}
${select("section", "section", f.section, [["", "all sections"], ...options.sections.map((s): [string, string] => [s, s])])}
${select("verdict", "verdict", f.verdict, [["", "any verdict"], ...VERDICT_FILTERS.map((v): [string, string] => [v, v])])}
${select(
  "limit",
  "per page",
  String(page.limit),
  [...new Set<number>([...PAGE_SIZES, page.limit])]
    .sort((a, b) => a - b)
    .map((n): [string, string] => [String(n), String(n)]),
)}
<button type="submit">Apply</button> <a href="/samples">Reset</a></form>`;
  const rows = table(
    [
      { head: "#", num: true, cell: (r) => r.position + 1 },
      ...(f.run
        ? []
        : [
            {
              head: "run",
              nowrap: true,
              cell: (r: SamplePage["rows"][number]) =>
                html`<a class="mono" href="${urls.run(r.runId)}">${r.runId}</a><br><span class="muted mono">${r.model}</span>`,
            },
          ]),
      {
        head: "sample",
        nowrap: true,
        cell: (r) =>
          html`<a class="mono" href="${urls.sample(r.runId, r.sampleId, r.epoch)}">${r.sampleId}</a>${r.epoch > 1 ? html` <span class="muted">epoch ${r.epoch}</span>` : ""}`,
      },
      { head: "section", nowrap: true, cell: (r) => html`<span class="mono">${r.sectionId ?? ""}</span>` },
      {
        head: "verdict",
        cell: (r) =>
          html`${verdictChip(r.verdict, r.compliance)}${r.errorKind ? html`<br><span class="muted mono">${r.errorKind}</span>` : ""}`,
      },
      { head: "prompt (last message)", name: "prompt", cell: (r) => r.prompt },
      {
        head: "response",
        name: "response",
        cell: (r) => (r.response === null ? html`<span class="muted">—</span>` : r.response),
      },
    ],
    page.rows,
    "No samples match these filters.",
  );
  return html`<h1>Samples</h1>${form}${pager(page)}<div id="sample-table">${rows}</div>${page.rows.length > 10 ? pager(page) : ""}`;
}
