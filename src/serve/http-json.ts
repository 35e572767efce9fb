/** What the proxy and the grader server share: JSON answers, a capped request body, and their log lines. */
import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * Log lines to stderr, written together once per turn of the event loop: under load one write carries many
 * requests' lines (a write to a pipe is a blocking system call).
 */
export function stderrLog(): (line: string) => void {
  let pending = "";
  const flush = () => {
    process.stderr.write(pending);
    pending = "";
  };
  return (line) => {
    if (pending === "") setImmediate(flush);
    pending += `${line}\n`;
  };
}

/** A JSON answer with its length. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

/** The request body was over the cap. */
export class BodyTooLarge extends Error {}

/** The request body, or `BodyTooLarge` once it passes `limit` bytes (the rest is read and dropped). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners("data");
        req.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
