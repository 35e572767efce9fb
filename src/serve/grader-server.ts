/**
 * `modelspec serve --grader`: the grading service over HTTP, for a training loop's reward function.
 * `POST /v1/grade` takes one request or a batch (`{items: […]}`), `GET /healthz` says it is up. Plain node:http,
 * as the proxy: JSON in and out, a capped body, one log line per request without any text of the request.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { UsageError } from "../errors.js";
import { listen } from "../listen.js";
import { ProviderError } from "../providers/index.js";
import { createGrader, type Grader, type GraderOptions } from "../runs/index.js";
import { BodyTooLarge, readBody, sendJson, stderrLog } from "./http-json.js";
import { loggedServer, type RequestLog, shownHost } from "./logged-server.js";

export interface GraderServerOptions {
  /** The spec, the judge and how it grades, the database: as `createGrader` takes them. */
  grader: GraderOptions;
  /** Default 127.0.0.1 (this machine only). */
  host?: string;
  /** 0 picks a free port. Default 8788. */
  port?: number;
  /** The largest request body accepted, in bytes (default 16 MiB). */
  maxBodyBytes?: number;
  /** Receives one JSON line per request. Default: stderr. */
  log?: (line: string) => void;
}

export interface RunningGrader {
  /** `http://host:port/`: POST to `${url}v1/grade`. */
  url: string;
  port: number;
  judge: string;
  spec: string;
  /** Stops accepting connections, stops the grades in flight (they answer 503), closes the judge and database. */
  close(): Promise<void>;
}

/** One line per request: what happened, never a message or a response text. */
interface LogEntry extends RequestLog {
  items?: number;
}

/**
 * Starts the grader: the spec, the judge and the database are opened first (a bad option or a judge without its
 * key is an error before anything listens).
 *
 * @example
 * const grader = await startGraderServer({ grader: { judge: "openai:gpt-5" }, port: 0 });
 * // POST {messages, response, section_id} to `${grader.url}v1/grade` … then
 * await grader.close();
 */
export async function startGraderServer(options: GraderServerOptions): Promise<RunningGrader> {
  const grader = await createGrader(options.grader);
  const log = options.log ?? stderrLog();
  const maxBodyBytes = options.maxBodyBytes ?? 16 * 1024 * 1024;
  const { server, closeConnectionsWhenDrained } = loggedServer<LogEntry>(
    log,
    () => ({}),
    (req, res, entry) => handle(req, res, entry, grader, maxBodyBytes),
    (error, res, entry) => {
      // Never a crash and never a stack: a stop answers 503, anything unexpected 500 with one line.
      const stopping = error instanceof ProviderError && error.kind === "aborted";
      entry.error = stopping
        ? "the grader is stopping"
        : error instanceof Error
          ? error.message
          : String(error);
      if (res.headersSent) res.destroy();
      else if (stopping) sendJson(res, 503, { error: "the grader is stopping; send the request again" });
      else sendJson(res, 500, { error: "internal error in modelspec serve --grader" });
    },
  );

  const host = options.host ?? "127.0.0.1";
  let port: number;
  try {
    port = await listen(server, options.port ?? 8788, host);
  } catch (error) {
    await grader.close();
    throw error;
  }
  let closed: Promise<void> | null = null;
  return {
    url: `http://${shownHost(host)}:${port}/`,
    port,
    judge: grader.judge,
    spec: grader.spec,
    close() {
      closed ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // The grades in flight stop (their requests answer 503), then their connections close.
        await grader.close();
        closeConnectionsWhenDrained();
        await stopped;
      })();
      return closed;
    },
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  entry: LogEntry,
  grader: Grader,
  maxBodyBytes: number,
): Promise<void> {
  if (req.method === "GET" && entry.path === "/healthz") {
    req.resume();
    sendJson(res, 200, { status: "ok", judge: grader.judge, spec: grader.spec });
    return;
  }
  if (entry.path !== "/v1/grade" || req.method !== "POST") {
    req.resume();
    const allowed = entry.path === "/v1/grade";
    sendJson(
      res,
      allowed ? 405 : 404,
      {
        error: `no route for ${req.method} ${entry.path} (this server answers POST /v1/grade and GET /healthz)`,
      },
      allowed ? { allow: "POST" } : {},
    );
    return;
  }
  let raw: Buffer;
  try {
    raw = await readBody(req, maxBodyBytes);
  } catch (error) {
    if (!(error instanceof BodyTooLarge)) throw error;
    entry.error = "body too large";
    sendJson(res, 413, { error: `request body over ${maxBodyBytes} bytes` });
    return;
  }
  let body: unknown;
  try {
    body = JSON.parse(raw.toString("utf8"));
  } catch {
    return refuse(res, entry, "the request body is not valid JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return refuse(
      res,
      entry,
      "the request body must be a JSON object: {messages, response, …} or {items: […]}",
    );
  }
  try {
    if ("items" in body) {
      const extra = Object.keys(body).filter((k) => k !== "items");
      if (extra.length > 0) {
        throw new UsageError(`a batch holds only 'items' (got ${extra.map((k) => `'${k}'`).join(", ")} too)`);
      }
      const { items } = body as { items: unknown };
      entry.items = Array.isArray(items) ? items.length : 0;
      // Each item is checked by the grader: a bad one is its own error, the others are graded.
      sendJson(res, 200, { items: await grader.gradeBatch(items as Parameters<Grader["gradeBatch"]>[0]) });
    } else {
      sendJson(res, 200, await grader.grade(body as Parameters<Grader["grade"]>[0]));
    }
  } catch (error) {
    if (error instanceof UsageError) return refuse(res, entry, error.message);
    throw error;
  }
}

/** 400 with one line saying what is wrong with the request. */
function refuse(res: ServerResponse, entry: LogEntry, message: string): void {
  entry.error = message;
  sendJson(res, 400, { error: message });
}
