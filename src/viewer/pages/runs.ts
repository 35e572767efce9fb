import { count, excerpt, formatRate, terminalText } from "../../report/index.js";
import { html, type SafeHtml } from "../html.js";
import { urls } from "../urls.js";
import type { RunListItem } from "../views.js";
import { chip, table } from "./parts.js";

/** The runs list, newest first. */
export function runsPage(runs: RunListItem[], db: string): SafeHtml {
  const body = table(
    [
      {
        head: "run",
        nowrap: true,
        // The label is the user's text: escaped by html`` (controls and bidi overrides dropped), clipped so one
        // long label cannot widen the table.
        cell: (r) => {
          const label = terminalText(r.label ?? "");
          return html`<a class="mono" href="${urls.run(r.id)}">${r.id}</a>${label ? html`<br><span class="muted" data-label title="${label}">${excerpt(label, 60)}</span>` : ""}`;
        },
      },
      {
        head: "created (UTC)",
        nowrap: true,
        cell: (r) => html`<span title="${r.createdAt}">${r.createdAt.slice(0, 16).replace("T", " ")}</span>`,
      },
      { head: "status", cell: (r) => chip(r.status) },
      {
        head: "spec",
        nowrap: true,
        cell: (r) => r.specVersion ?? html`<span class="mono">${r.specHash.slice(0, 8)}</span>`,
      },
      {
        head: "model / judge",
        nowrap: true,
        cell: (r) =>
          html`<span class="mono">${r.model}</span><br><span class="muted">judge</span> <span class="mono">${r.judge}</span>`,
      },
      { head: "dataset", nowrap: true, cell: (r) => r.dataset },
      {
        head: "samples",
        num: true,
        cell: (r) => html`<a href="${urls.samples({ run: r.id })}">${count(r.samples)}</a>`,
      },
      { head: "compliance [95% CI]", num: true, cell: (r) => formatRate(r.rate, r.ci95) },
      { head: "ungraded", num: true, cell: (r) => r.ungraded },
      { head: "errors", num: true, cell: (r) => r.errors },
    ],
    runs,
    "No runs in this database yet: run `modelspec eval` first.",
  );
  const compare =
    runs.length >= 2
      ? html`<p><a href="${urls.compare()}">Compare runs</a> (paired by sample, with McNemar tests)</p>`
      : "";
  return html`<h1>Runs</h1><p class="muted">${runs.length} run(s) in <span class="mono">${db}</span>. Compliance counts graded samples only; ungraded and errors are neither pass nor fail.</p>${body}${compare}`;
}
