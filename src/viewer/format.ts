/** Number and date formatting shared by the viewer pages and the HTML report. */

export { formatRate } from "../report/stats.js";

/** "72.4%" or "—". */
export function pct(rate: number | null, digits = 1): string {
  return rate === null ? "—" : `${(rate * 100).toFixed(digits)}%`;
}

/** Signed percentage points, "+3.1" / "−2.0", or "—". */
export function points(diff: number | null): string {
  if (diff === null) return "—";
  const text = (Math.abs(diff) * 100).toFixed(1);
  if (text === "0.0") return "0.0";
  return `${diff > 0 ? "+" : "−"}${text}`;
}

/** "2025-12-18 14:03 UTC" from an ISO timestamp. */
export function when(iso: string | null): string {
  if (!iso) return "—";
  return `${iso.slice(0, 16).replace("T", " ")} UTC`;
}

export function count(n: number): string {
  return n.toLocaleString("en-US");
}

export function tokens(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n);
}

export function usd(n: number | null): string {
  return n === null ? "unknown" : `$${n.toFixed(n < 1 ? 4 : 2)}`;
}

/** The first `max` characters of a text on one line, with an ellipsis when cut. */
export function excerpt(text: string | null | undefined, max = 140): string {
  if (!text) return "";
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
