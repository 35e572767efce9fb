/**
 * Inline SVG bar charts (no library, no script): compliance rates with their 95% interval as a whisker, and
 * paired differences between two runs. Labels and tooltips are data, so they go through `html` like all text.
 */
import { decimal, formatRate, points } from "../report/index.js";
import { html, type SafeHtml } from "./html.js";

export interface RateBar {
  id: string;
  /** Shown in the tooltip next to the id, e.g. the section title. */
  title?: string | null;
  rate: number | null;
  ci95: [number, number] | null;
  compliant: number;
  graded: number;
  href?: string;
}

export interface DiffBar {
  id: string;
  diff: number | null;
  ci95: [number, number] | null;
  n: number;
  pValue: number;
  href?: string;
}

const WIDTH = 1080;
const ROW = 22;
const TOP = 24;
const VALUE_COLUMN = 118;
const CHAR = 7.3;

const fixed = (x: number) => x.toFixed(1);

function labelWidth(labels: string[]): { width: number; maxChars: number } {
  const longest = Math.max(8, ...labels.map((l) => l.length));
  const maxChars = Math.min(longest, 42);
  return { width: Math.round(maxChars * CHAR + 18), maxChars };
}

function clip(text: string, maxChars: number): string {
  return text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text;
}

function wrapLink(href: string | undefined, body: SafeHtml): SafeHtml {
  return href ? html`<a href="${href}">${body}</a>` : body;
}

function whisker(x1: number, x2: number, y: number): SafeHtml {
  return html`<g class="whisker"><line x1="${fixed(x1)}" x2="${fixed(x2)}" y1="${y}" y2="${y}"/><line x1="${fixed(x1)}" x2="${fixed(x1)}" y1="${y - 4}" y2="${y + 4}"/><line x1="${fixed(x2)}" x2="${fixed(x2)}" y1="${y - 4}" y2="${y + 4}"/></g>`;
}

/** Horizontal bars of compliance (0–100%), one per row, each with its Wilson 95% interval. */
export function rateChart(caption: string, bars: RateBar[]): SafeHtml {
  if (bars.length === 0) return html`<p class="muted">No samples.</p>`;
  const { width: left, maxChars } = labelWidth(bars.map((b) => b.id));
  const plot = WIDTH - left - VALUE_COLUMN;
  const height = TOP + bars.length * ROW + 6;
  const x = (rate: number) => left + rate * plot;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map(
    (t) =>
      html`<line class="grid" x1="${fixed(x(t))}" x2="${fixed(x(t))}" y1="${TOP - 4}" y2="${height - 4}"/><text class="tick" x="${fixed(x(t))}" y="${TOP - 9}" text-anchor="middle">${t * 100}%</text>`,
  );
  const rows = bars.map((b, i) => {
    const y = TOP + i * ROW;
    const mid = y + ROW / 2;
    const tip = `${b.id}${b.title ? ` — ${b.title}` : ""}: ${b.graded > 0 ? `${formatRate(b.rate, b.ci95)}, ${b.compliant} of ${b.graded} graded compliant` : "no graded samples"}`;
    const bar =
      b.rate === null
        ? html`<text class="none" x="${left + 4}" y="${mid + 4}">no graded samples</text>`
        : html`<rect class="bar" x="${left}" y="${mid - 6}" width="${fixed(Math.max(b.rate * plot, 1))}" height="12" rx="2"/>${
            b.ci95 ? whisker(x(b.ci95[0]), x(b.ci95[1]), mid) : ""
          }<text class="value" x="${WIDTH - VALUE_COLUMN + 8}" y="${mid + 4}">${formatRate(b.rate)} · ${b.compliant}/${b.graded}</text>`;
    return html`<g class="row" data-id="${b.id}"><title>${tip}</title>${wrapLink(
      b.href,
      html`<rect class="hit" x="0" y="${y}" width="${WIDTH}" height="${ROW}"/><text class="label" x="${left - 8}" y="${mid + 4}" text-anchor="end">${clip(b.id, maxChars)}</text>${bar}`,
    )}</g>`;
  });
  return html`<figure class="chart"><figcaption>${caption}</figcaption><svg role="img" aria-label="${caption}" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}">${ticks}${rows}</svg></figure>`;
}

/** Diverging bars of B − A in percentage points with the paired (Newcombe) 95% interval. */
export function diffChart(caption: string, bars: DiffBar[]): SafeHtml {
  if (bars.length === 0) return html`<p class="muted">No paired samples.</p>`;
  const { width: left, maxChars } = labelWidth(bars.map((b) => b.id));
  const plot = WIDTH - left - VALUE_COLUMN;
  const height = TOP + bars.length * ROW + 6;
  const extent = Math.max(
    0.1,
    ...bars.flatMap((b) => (b.ci95 ? [Math.abs(b.ci95[0]), Math.abs(b.ci95[1])] : [Math.abs(b.diff ?? 0)])),
  );
  const span = Math.min(1, Math.ceil(extent * 10) / 10);
  const x = (d: number) => left + ((d + span) / (2 * span)) * plot;
  const ticks = [-span, -span / 2, 0, span / 2, span].map(
    (t) =>
      html`<line class="${t === 0 ? "zero" : "grid"}" x1="${fixed(x(t))}" x2="${fixed(x(t))}" y1="${TOP - 4}" y2="${height - 4}"/><text class="tick" x="${fixed(x(t))}" y="${TOP - 9}" text-anchor="middle">${points(t)}</text>`,
  );
  const rows = bars.map((b, i) => {
    const y = TOP + i * ROW;
    const mid = y + ROW / 2;
    const tip = `${b.id}: B − A ${points(b.diff)} pts${b.ci95 ? ` [${points(b.ci95[0])}, ${points(b.ci95[1])}]` : ""}, n = ${b.n}, p = ${decimal(b.pValue)}`;
    const d = b.diff;
    const bar =
      d === null
        ? html`<text class="none" x="${left + 4}" y="${mid + 4}">no paired samples</text>`
        : html`<rect class="${d >= 0 ? "bar up" : "bar down"}" x="${fixed(Math.min(x(0), x(d)))}" y="${mid - 6}" width="${fixed(Math.max(Math.abs(x(d) - x(0)), 1))}" height="12" rx="2"/>${
            b.ci95 ? whisker(x(b.ci95[0]), x(b.ci95[1]), mid) : ""
          }<text class="value" x="${WIDTH - VALUE_COLUMN + 8}" y="${mid + 4}">${points(d)} pts · n=${b.n}</text>`;
    return html`<g class="row" data-id="${b.id}"><title>${tip}</title>${wrapLink(
      b.href,
      html`<rect class="hit" x="0" y="${y}" width="${WIDTH}" height="${ROW}"/><text class="label" x="${left - 8}" y="${mid + 4}" text-anchor="end">${clip(b.id, maxChars)}</text>${bar}`,
    )}</g>`;
  });
  return html`<figure class="chart"><figcaption>${caption}</figcaption><svg role="img" aria-label="${caption}" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}">${ticks}${rows}</svg></figure>`;
}
