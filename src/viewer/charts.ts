/**
 * Inline SVG bar charts (no library, no script): compliance rates with their 95% interval as a whisker, and
 * paired differences between two runs. Labels and tooltips are data, so they go through `html` like all text.
 */
import { count, decimal, formatRate, percent, points } from "../report/index.js";
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

export interface ScoreBin {
  score: number;
  compliant: number;
  nonCompliant: number;
  href?: string;
}

const SMALL_WIDTH = 520;

/**
 * Vertical bars of graded samples by median judge score, 1 to 7 (and any half score a median of two fell on),
 * compliant and non-compliant stacked, each with its count; the whole data in the label, for screen readers.
 */
export function scoreHistogram(caption: string, bins: ScoreBin[]): SafeHtml {
  const byScore = new Map(bins.map((b) => [b.score, b]));
  const scores = [...new Set([1, 2, 3, 4, 5, 6, 7, ...bins.map((b) => b.score)])].sort((a, b) => a - b);
  const all = scores.map((score) => byScore.get(score) ?? { score, compliant: 0, nonCompliant: 0 });
  const max = Math.max(1, ...all.map((b) => b.compliant + b.nonCompliant));
  const top = 22;
  const plot = 150;
  const base = top + plot;
  const left = 12;
  const slot = (SMALL_WIDTH - 2 * left) / all.length;
  const bar = Math.min(44, slot * 0.7);
  const h = (n: number) => (n / max) * plot;
  const described = (b: ScoreBin) => {
    const n = b.compliant + b.nonCompliant;
    const parts = [
      b.compliant ? `${b.compliant} compliant` : "",
      b.nonCompliant ? `${b.nonCompliant} non-compliant` : "",
    ];
    return `score ${b.score}: ${count(n)} sample${n === 1 ? "" : "s"}${n ? ` (${parts.filter(Boolean).join(", ")})` : ""}`;
  };
  const columns = all.map((b, i) => {
    const x = left + i * slot + (slot - bar) / 2;
    const mid = left + i * slot + slot / 2;
    const n = b.compliant + b.nonCompliant;
    const bad = h(b.nonCompliant);
    const good = h(b.compliant);
    const body = html`<rect class="hit" x="${fixed(left + i * slot)}" y="${top - 16}" width="${fixed(slot)}" height="${plot + 36}"/>${
      b.nonCompliant
        ? html`<rect class="bar down" x="${fixed(x)}" y="${fixed(base - bad)}" width="${fixed(bar)}" height="${fixed(Math.max(bad, 1))}"/>`
        : ""
    }${
      b.compliant
        ? html`<rect class="bar up" x="${fixed(x)}" y="${fixed(base - bad - good)}" width="${fixed(bar)}" height="${fixed(Math.max(good, 1))}"/>`
        : ""
    }<text class="value" x="${fixed(mid)}" y="${fixed(base - bad - good - 5)}" text-anchor="middle">${count(n)}</text><text class="label" x="${fixed(mid)}" y="${base + 16}" text-anchor="middle">${String(b.score)}</text>`;
    return html`<g class="bin" data-score="${b.score}"><title>${described(b)}</title>${wrapLink(n ? b.href : undefined, body)}</g>`;
  });
  const label = `${caption}: ${all.map(described).join("; ")}`;
  const height = base + 24;
  return html`<figure class="chart"><figcaption>${caption}</figcaption><svg role="img" aria-label="${label}" viewBox="0 0 ${SMALL_WIDTH} ${height}" width="${SMALL_WIDTH}" height="${height}"><line class="zero" x1="${left}" x2="${SMALL_WIDTH - left}" y1="${base}" y2="${base}"/>${columns}</svg></figure>`;
}

export interface CountBar {
  id: string;
  /** What the count is of, e.g. `non-compliant: too-permissive`. */
  label: string;
  count: number;
  /** Colours the bar: a failure, an error, an ungraded sample. */
  kind: "non-compliant" | "error" | "ungraded";
  href?: string;
}

/** Horizontal bars of sample counts, each with its share of `total` samples; the data in the label too. */
export function countChart(caption: string, bars: CountBar[], total: number): SafeHtml {
  if (bars.length === 0) return html`<p class="muted">${caption}: none.</p>`;
  const labels = labelWidth(bars.map((b) => b.label));
  const value = 110;
  const plot = SMALL_WIDTH - labels.width - value;
  const max = Math.max(1, ...bars.map((b) => b.count));
  const height = 8 + bars.length * ROW;
  const share = (n: number) => (total > 0 ? percent(n / total) : "—");
  const rows = bars.map((b, i) => {
    const y = 4 + i * ROW;
    const mid = y + ROW / 2;
    const tip = `${b.label}: ${count(b.count)} of ${count(total)} samples (${share(b.count)})`;
    return html`<g class="row" data-id="${b.id}"><title>${tip}</title>${wrapLink(
      b.href,
      html`<rect class="hit" x="0" y="${y}" width="${SMALL_WIDTH}" height="${ROW}"/><text class="label" x="${labels.width - 8}" y="${mid + 4}" text-anchor="end">${clip(b.label, labels.maxChars)}</text><rect class="bar ${b.kind}" x="${labels.width}" y="${mid - 6}" width="${fixed(Math.max((b.count / max) * plot, 1))}" height="12" rx="2"/><text class="value" x="${SMALL_WIDTH - value + 8}" y="${mid + 4}">${count(b.count)} · ${share(b.count)}</text>`,
    )}</g>`;
  });
  const label = `${caption}: ${bars.map((b) => `${b.label} ${count(b.count)}`).join("; ")}; of ${count(total)} samples`;
  return html`<figure class="chart"><figcaption>${caption}</figcaption><svg role="img" aria-label="${label}" viewBox="0 0 ${SMALL_WIDTH} ${height}" width="${SMALL_WIDTH}" height="${height}">${rows}</svg></figure>`;
}
