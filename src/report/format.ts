/**
 * Number, date and text formatting for every human-facing output: the text report, the CLI tables, the viewer
 * and the HTML report. One place, so a rate or a difference reads the same everywhere.
 */

/** Percentage digits of a rate, never "-0.0". */
function percentDigits(rate: number, digits: number): string {
  const text = (rate * 100).toFixed(digits);
  return /^-0\.?0*$/.test(text) ? text.slice(1) : text;
}

/**
 * "72.4%", or "—" when there is no rate.
 *
 * @example
 * percent(0.724); // "72.4%"
 */
export function percent(rate: number | null, digits = 1): string {
  return rate === null ? "—" : `${percentDigits(rate, digits)}%`;
}

/**
 * A rate in [0, 1] as "72.4% [68.1–76.3]" (interval optional), or "—" when there is no rate. Showing the
 * interval next to the rate is the point: a bare "72.4%" from 50 samples reads as more certain than it is.
 *
 * @example
 * formatRate(0.724, [0.681, 0.763]); // "72.4% [68.1–76.3]"
 */
export function formatRate(rate: number | null, ci?: [number, number] | null): string {
  if (rate === null) return "—";
  const head = percent(rate);
  return ci ? `${head} [${percentDigits(ci[0], 1)}–${percentDigits(ci[1], 1)}]` : head;
}

/**
 * A difference of rates in signed percentage points: "+3.1", "−2.0" (a true minus sign), "0.0", or "—".
 *
 * @example
 * points(-0.02); // "−2.0"
 */
export function points(diff: number | null): string {
  if (diff === null) return "—";
  const text = (Math.abs(diff) * 100).toFixed(1);
  if (Number(text) === 0) return "0.0";
  return `${diff > 0 ? "+" : "−"}${text}`;
}

/** A signed number with two decimals and a true minus sign: "+0.42", "−0.25", "0.00". */
function signed(x: number): string {
  const text = Math.abs(x).toFixed(2);
  return Number(text) === 0 ? text : `${x > 0 ? "+" : "−"}${text}`;
}

/**
 * A mean reward in [−1, 1] (safe-completion) with its interval: "+0.42 [+0.20 to +0.61]", or "—" without one.
 *
 * @example
 * formatReward(-0.1, [-0.35, 0.2]); // "−0.10 [−0.35 to +0.20]"
 */
export function formatReward(mean: number | null, ci?: [number, number] | null): string {
  if (mean === null) return "—";
  return ci ? `${signed(mean)} [${signed(ci[0])} to ${signed(ci[1])}]` : signed(mean);
}

/**
 * A statistic (a p-value, a kappa) with fixed decimals, or "—" when it is undefined.
 *
 * @example
 * decimal(0.0351, 3); // "0.035"
 */
export function decimal(x: number | null, digits = 3): string {
  return x === null ? "—" : x.toFixed(digits);
}

/** "2025-12-18 14:03 UTC" from an ISO timestamp, "—" without one. */
export function when(iso: string | null): string {
  if (!iso) return "—";
  return `${iso.slice(0, 16).replace("T", " ")} UTC`;
}

/** A count with thousands separators: "100,000". */
export function count(n: number): string {
  return n.toLocaleString("en-US");
}

/** A token count: "512", "12.3k", "2.10M". */
export function tokens(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n);
}

/** US dollars, four decimals under a dollar; "unknown" when there is no estimate. */
export function usd(n: number | null): string {
  return n === null ? "unknown" : `$${n.toFixed(n < 1 ? 4 : 2)}`;
}

/** The first `max` characters of a text on one line, with an ellipsis when cut. */
export function excerpt(text: string | null | undefined, max = 140): string {
  if (!text) return "";
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Escape sequences a terminal acts on: CSI (colours, cursor moves), OSC (titles, hyperlinks), and other ESC pairs. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const TERMINAL_ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]/g;
/** Line breaks and tabs, which would break a one-line field. */
const BREAKS = /[\t\n\r\v\f\u2028\u2029]+/g;
/** Other control characters, and the bidirectional overrides that make text read other than it is. */
const CONTROLS = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/**
 * Untrusted text (a run label, a title from a fork of the spec) made safe to print on one terminal line: escape
 * sequences and control characters removed, line breaks as spaces. Never lets the text restyle the terminal.
 *
 * @example
 * terminalText("nightly\x1b[2J\nrun"); // "nightly run"
 */
export function terminalText(text: string): string {
  return text.replace(TERMINAL_ESCAPES, "").replace(BREAKS, " ").replace(CONTROLS, "");
}
