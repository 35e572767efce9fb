/**
 * The sample table: a GET form (search, filters, page size), sortable column headers, keyset pager links, one page
 * of rows with short excerpts, the search's matches marked. Every link keeps the search, filters and sort.
 */

import { count } from "../../report/index.js";
import { DEFAULT_PAGE_SIZE, type SamplePage, type SampleSort, VERDICT_FILTERS } from "../../store/index.js";
import { html, type SafeHtml } from "../html.js";
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

/** The page's filters, search, sort and size as URL parameters: every link of the page keeps them. */
function state(page: SamplePage) {
  const f = page.filter;
  return {
    run: f.run,
    model: f.model,
    section: f.section,
    verdict: f.verdict,
    q: f.search,
    sort: page.sort === "position" ? undefined : page.sort,
    limit: page.limit === DEFAULT_PAGE_SIZE ? undefined : page.limit,
  };
}

function pager(page: SamplePage): SafeHtml {
  const base = state(page);
  const link = (label: string, cursor: Record<string, string> | null) =>
    cursor
      ? html`<a href="${urls.samples({ ...base, ...cursor })}">${label}</a>`
      : html`<span class="disabled">${label}</span>`;
  return html`<div class="pager">${link("« First", page.prev ? {} : null)}${link(
    "‹ Previous",
    page.prev ? { before: page.prev } : null,
  )}${link("Next ›", page.next ? { after: page.next } : null)}<span class="muted">${count(page.total)} matching sample(s)${
    page.filter.search ? html` for “<span class="query">${page.filter.search}</span>”` : ""
  }, ${page.rows.length} on this page</span></div>`;
}

/**
 * A sortable column's header: a link to the first page sorted by it (ascending first, then the other way), an
 * arrow on the column the rows are sorted by. Dataset order (`#`) goes one way only.
 */
function sortHead(page: SamplePage, label: string, by: SampleSort) {
  const column = by.replace(/^-/, "");
  const current = page.sort.replace(/^-/, "") === column ? page.sort : null;
  const asc = column as SampleSort;
  const desc = (column === "position" ? "position" : `-${column}`) as SampleSort;
  const target = current === asc ? desc : asc;
  const arrow = current === null ? "" : current.startsWith("-") ? " ▼" : " ▲";
  return {
    head: html`<a class="sort" href="${urls.samples({ ...state(page), sort: target === "position" ? undefined : target })}" title="${`sort by ${label}`}">${label}${arrow}</a>`,
    sorted:
      current === null
        ? undefined
        : current.startsWith("-")
          ? ("descending" as const)
          : ("ascending" as const),
  };
}

/** Untrusted text with each occurrence of the search (in any case) marked. */
function highlighted(text: string, search: string | undefined): SafeHtml {
  const needle = search?.toLowerCase();
  const lower = text.toLowerCase();
  // Lower-casing a few characters changes the length; positions would shift, so such text is left unmarked.
  if (!needle || lower.length !== text.length) return html`${text}`;
  const parts: SafeHtml[] = [];
  let from = 0;
  for (let at = lower.indexOf(needle); at >= 0; at = lower.indexOf(needle, at + needle.length)) {
    parts.push(html`${text.slice(from, at)}<mark>${text.slice(at, at + needle.length)}</mark>`);
    from = at + needle.length;
  }
  return html`${parts}${text.slice(from)}`;
}

export function samplesPage(page: SamplePage, options: SampleTableOptions): SafeHtml {
  const f = page.filter;
  const sort = state(page).sort;
  const form = html`<form class="filters" method="get" action="/samples">
<label class="search">search prompts and responses<input type="search" name="q" value="${f.search ?? ""}" maxlength="200" placeholder="any text, any case"></label>
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
${sort ? html`<input type="hidden" name="sort" value="${sort}">` : ""}
<button type="submit">Apply</button> <a href="/samples">Reset</a></form>`;
  const rows = table(
    [
      { ...sortHead(page, "#", "position"), num: true, cell: (r) => r.position + 1 },
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
      {
        ...sortHead(page, "section", "section"),
        nowrap: true,
        cell: (r) => html`<span class="mono">${r.sectionId ?? ""}</span>`,
      },
      {
        ...sortHead(page, "verdict", "verdict"),
        name: "verdict",
        cell: (r) =>
          html`${verdictChip(r.verdict)}${r.errorKind ? html`<br><span class="muted mono">${r.errorKind}</span>` : ""}`,
      },
      {
        ...sortHead(page, "score", "score"),
        num: true,
        name: "score",
        cell: (r) => (r.compliance === null ? html`<span class="muted">—</span>` : r.compliance),
      },
      { head: "prompt (last message)", name: "prompt", cell: (r) => highlighted(r.prompt, f.search) },
      {
        head: "response",
        name: "response",
        cell: (r) =>
          r.response === null ? html`<span class="muted">—</span>` : highlighted(r.response, f.search),
      },
    ],
    page.rows,
    "No samples match these filters.",
  );
  return html`<h1>Samples</h1>${form}${pager(page)}<div id="sample-table">${rows}</div>${page.rows.length > 10 ? pager(page) : ""}`;
}
