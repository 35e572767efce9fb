/** The page shell: one inline stylesheet (allowed by its hash in the CSP), a nav bar, the content. */
import { createHash } from "node:crypto";
import { html, type SafeHtml, trusted } from "./html.js";
import { STYLE } from "./style.js";

export type NavItem = "runs" | "samples" | "compare" | "spec";

const STYLE_HASH = `'sha256-${createHash("sha256").update(STYLE).digest("base64")}'`;

/**
 * No script may run at all (the pages are plain HTML); only our own stylesheet applies (by hash, so an
 * injected `<style>` or `style=` attribute is ignored); images only as data: URLs; forms only submit here.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'none'",
  `style-src ${STYLE_HASH}`,
  "img-src 'self' data:",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** The same policy for a file opened from disk, where only a meta tag can set it (frame-ancestors is ignored there). */
const REPORT_POLICY = CONTENT_SECURITY_POLICY.replace(/; frame-ancestors 'none'/, "").replace(
  "form-action 'self'",
  "form-action 'none'",
);

const NAV: [NavItem, string, string][] = [
  ["runs", "/", "Runs"],
  ["samples", "/samples", "Samples"],
  ["compare", "/compare", "Compare"],
  ["spec", "/spec", "Spec"],
];

export interface PageOptions {
  title: string;
  body: SafeHtml;
  active?: NavItem;
  /** Shown at the right of the nav bar, e.g. the database path. */
  note?: string;
}

function head(title: string, extra: SafeHtml = html``): SafeHtml {
  return html`<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer"><link rel="icon" href="data:,">${extra}<title>${title}</title><style>${trusted(STYLE)}</style></head>`;
}

/** A page of the served viewer. */
export function page(options: PageOptions): string {
  const nav = NAV.map(
    ([key, href, label]) =>
      html`<a href="${href}" class="${key === options.active ? "active" : ""}">${label}</a>`,
  );
  return `<!doctype html>\n${html`<html lang="en">${head(`${options.title} · modelspec`)}<body><header class="top"><a class="brand" href="/">modelspec viewer</a><nav>${nav}</nav><span class="db">${options.note ?? ""}</span></header><main>${options.body}</main></body></html>`}`;
}

/** A standalone document (the HTML report): no navigation, the CSP in a meta tag. */
export function standalonePage(title: string, body: SafeHtml): string {
  const csp = html`<meta http-equiv="Content-Security-Policy" content="${REPORT_POLICY}">`;
  return `<!doctype html>\n${html`<html lang="en">${head(title, csp)}<body><main>${body}</main></body></html>`}\n`;
}
