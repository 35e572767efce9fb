import { html, type SafeHtml } from "../html.js";

export function errorPage(status: number, message: string): SafeHtml {
  const title = status === 404 ? "Not found" : status === 421 ? "Wrong host" : "Something went wrong";
  return html`<h1>${title}</h1><div class="card">${message}</div><p><a href="/">Back to the runs</a></p>`;
}
