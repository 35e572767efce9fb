/** Small building blocks shared by the pages: chips, badges, fact lists, tables. */
import type { AuthorityLevel, SectionAuthority } from "../../conversation/index.js";
import { type HtmlValue, html, type SafeHtml } from "../html.js";

export function chip(kind: string, label: string = kind): SafeHtml {
  return html`<span class="chip ${kind}">${label}</span>`;
}

/** A verdict as a coloured chip: compliant, non-compliant, ungraded, error, pending. */
export function verdictChip(verdict: string, score?: number | null): SafeHtml {
  return chip(verdict, score === null || score === undefined ? verdict : `${verdict} · ${score}`);
}

export function authorityBadge(level: AuthorityLevel | SectionAuthority | null): SafeHtml {
  if (level === null) return html`<span class="auth none">no authority level</span>`;
  return level === "none"
    ? html`<span class="auth none" title="carries no authority in the chain of command">no authority</span>`
    : html`<span class="auth ${level}" title="authority level in the chain of command">${level}</span>`;
}

/** A definition list of facts; values that are null or empty are left out. */
export function facts(items: [string, HtmlValue][]): SafeHtml {
  const shown = items.filter(([, v]) => v !== null && v !== undefined && v !== "");
  return html`<dl class="facts">${shown.map(([k, v]) => html`<div><dt>${k}</dt><dd>${v}</dd></div>`)}</dl>`;
}

export interface Column<T> {
  /** The header: text, or markup such as a sort link. */
  head: HtmlValue;
  /** Set on the column the rows are sorted by (its header's `aria-sort`). */
  sorted?: "ascending" | "descending";
  cell: (row: T) => HtmlValue;
  num?: boolean;
  /** Keep the cell on one line (ids, dates). */
  nowrap?: boolean;
  /** A class naming the column's cells, e.g. for tests and the stylesheet. */
  name?: string;
}

export function table<T>(columns: Column<T>[], rows: T[], empty = "Nothing to show."): SafeHtml {
  if (rows.length === 0) return html`<div class="card empty">${empty}</div>`;
  const head = columns.map(
    (c) =>
      html`<th class="${c.num ? "num" : ""}"${c.sorted ? html` aria-sort="${c.sorted}"` : ""}>${c.head}</th>`,
  );
  const cls = (c: Column<T>) =>
    [c.num ? "num" : "", c.nowrap ? "nowrap" : "", c.name ?? ""].filter(Boolean).join(" ");
  const body = rows.map(
    (row) => html`<tr>${columns.map((c) => html`<td class="${cls(c)}">${c.cell(row)}</td>`)}</tr>`,
  );
  return html`<div class="table-wrap"><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

/** A link when `href` is given, else plain text (the HTML report has no pages to link to). */
export function maybeLink(href: string | null | undefined, label: HtmlValue): SafeHtml {
  return href ? html`<a href="${href}">${label}</a>` : html`${label}`;
}

/**
 * Preformatted untrusted text: shown exactly, as text. HTML drops a newline right after `<pre>`, so one is
 * written there for it to drop: a text's own first newline (an answer that opens with blank lines) stays.
 */
export function textBlock(text: string): SafeHtml {
  return html`<pre class="text">\n${text}</pre>`;
}

/**
 * An answer in a side-by-side view: a scroll box of bounded height. Blank lines before the text are left out (an
 * answer opening with screenfuls of them showed an empty box), and the box says so; so are trailing blanks. The
 * sample page shows the answer exactly.
 */
export function answerBlock(text: string): SafeHtml {
  const body = text.replace(/^\s*\n/, "");
  const note =
    body.length < text.length
      ? html`<div class="muted note">blank lines before the answer are not shown here</div>`
      : "";
  return html`${note}<div class="answer">${textBlock(body.trimEnd())}</div>`;
}
