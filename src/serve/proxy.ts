/**
 * `modelspec serve`: an OpenAI-compatible proxy that applies the runtime to every chat request, so an app in any
 * language gets the chain of command by changing its base URL. Plain node:http rather than the viewer's hono:
 * a proxy passes bodies on as bytes, with back-pressure, and must know when a client goes away.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ModelspecError, UsageError } from "../errors.js";
import { listen } from "../listen.js";
import {
  type ChatMessage,
  describeRuntime,
  type GuardResult,
  guard,
  prepare,
  type RuntimeOptions,
  type RuntimeSummary,
} from "../runtime/index.js";
import { BodyTooLarge, readBody, sendJson, stderrLog } from "./http-json.js";
import { loggedServer, type RequestLog, shownHost } from "./logged-server.js";
import { gatherText, replaceText, type SseEvent, SseSplitter } from "./sse.js";
import { createUpstream, HOP_BY_HOP, type Upstream, upstreamHeaders } from "./upstream.js";

export interface ProxyOptions {
  /** The OpenAI-compatible server to forward to, with its `/v1`, e.g. http://localhost:8000/v1. */
  upstream: string;
  /** Default 127.0.0.1 (this machine only). */
  host?: string;
  /** 0 picks a free port. Default 8787. */
  port?: number;
  /** What is applied to every request: spec, rules, spotlight, guard. */
  runtime: RuntimeOptions;
  /** Send the key in this environment variable upstream, in place of the client's Authorization header. */
  upstreamKeyEnv?: string;
  /** Where `upstreamKeyEnv` is read. Default process.env. */
  env?: Record<string, string | undefined>;
  /** Log the messages and the response text too (never by default). */
  logContent?: boolean;
  /** Receives one JSON line per request. Default: stderr. */
  log?: (line: string) => void;
  /** The largest request body accepted, in bytes (default 64 MiB). */
  maxBodyBytes?: number;
}

export interface RunningProxy {
  /** `http://host:port/v1`: the base URL apps use. */
  url: string;
  port: number;
  /** The upstream as shown (no credentials). */
  upstream: string;
  summary: RuntimeSummary;
  /** Stops accepting connections, lets the requests in flight finish, then closes. */
  close(): Promise<void>;
}

const GUARD_ORDER: GuardResult["status"][] = ["pass", "unchecked", "flagged", "revised", "blocked"];

/** One line per request: what happened, never a key, and message text only with logContent. */
interface LogEntry extends RequestLog {
  upstream: number | null;
  stream?: boolean;
  sections?: number;
  spotlight?: string;
  untrusted?: number;
  guard?: string;
  guardSections?: string[];
  messages?: unknown;
  response?: string;
}

/**
 * Starts the proxy: the runtime options are checked first (an unknown section or a guard model without its key is
 * an error before anything listens).
 *
 * @example
 * const proxy = await startProxy({ upstream: "http://localhost:8000/v1", port: 0, runtime: { spec: "2025-12-18" } });
 * // point an OpenAI client at proxy.url … then
 * await proxy.close();
 */
export async function startProxy(options: ProxyOptions): Promise<RunningProxy> {
  const upstream = createUpstream(options.upstream);
  const env = options.env ?? process.env;
  let key: string | undefined;
  if (options.upstreamKeyEnv !== undefined) {
    key = env[options.upstreamKeyEnv];
    if (key === undefined || key === "") {
      throw new UsageError(`--upstream-key-env ${options.upstreamKeyEnv}: the variable is not set`);
    }
  }
  const summary = await describeRuntime(options.runtime);
  const log = options.log ?? stderrLog();
  const context: Context = {
    upstream,
    key,
    runtime: options.runtime,
    summary,
    logContent: options.logContent ?? false,
    maxBodyBytes: options.maxBodyBytes ?? 64 * 1024 * 1024,
  };

  const { server, closeConnectionsWhenDrained } = loggedServer<LogEntry>(
    log,
    () => ({ upstream: null }),
    (req, res, entry) => handle(req, res, entry, context),
    (error, res, entry) => {
      // Never a crash of the server, and never a stack or a key in the answer or the log.
      entry.error = error instanceof Error ? error.message : String(error);
      if (key) entry.error = entry.error.replaceAll(key, "[redacted]");
      if (!res.headersSent) sendError(res, 500, "internal error in modelspec serve", "server_error");
      else res.destroy();
    },
  );

  const host = options.host ?? "127.0.0.1";
  let port: number;
  try {
    port = await listen(server, options.port ?? 8787, host);
  } catch (error) {
    upstream.close();
    throw error;
  }
  let closed: Promise<void> | null = null;
  return {
    url: `http://${shownHost(host)}:${port}/v1`,
    port,
    upstream: upstream.shown,
    summary,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => {
          upstream.close();
          resolve();
        });
        // Idle kept-alive connections would hold the server open; requests in flight finish first.
        server.closeIdleConnections();
        closeConnectionsWhenDrained();
      });
      return closed;
    },
  };
}

interface Context {
  upstream: Upstream;
  key: string | undefined;
  runtime: RuntimeOptions;
  summary: RuntimeSummary;
  logContent: boolean;
  maxBodyBytes: number;
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  entry: LogEntry,
  ctx: Context,
): Promise<void> {
  if (req.method === "GET" && entry.path === "/healthz") {
    sendJson(res, 200, { status: "ok" });
    return;
  }
  if (req.method === "GET" && entry.path === "/v1/models") {
    await forward(req, res, entry, ctx, "/models", null);
    return;
  }
  if (req.method === "POST" && entry.path === "/v1/chat/completions") {
    await chat(req, res, entry, ctx);
    return;
  }
  req.resume();
  sendError(
    res,
    404,
    `no route for ${req.method} ${entry.path} (this proxy serves POST /v1/chat/completions, GET /v1/models and GET /healthz)`,
    "invalid_request_error",
    null,
    "not_found",
  );
}

/** An OpenAI-style error body. */
function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  type: string,
  param: string | null = null,
  code: string | null = null,
): void {
  sendJson(res, status, { error: { message, type, param, code } });
}

/** The headers of our answer: the upstream's (without hop-by-hop ones), then what was applied. */
function answerHeaders(upstream: IncomingMessage, applied: Record<string, string>, keepLength: boolean) {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(upstream.headers)) {
    if (value === undefined || (HOP_BY_HOP.has(name) && !(keepLength && name === "content-length"))) continue;
    headers[name] = value;
  }
  return { ...headers, ...applied };
}

/** Sends a request upstream; a server that cannot be reached is a 502 naming it (never its credentials). */
async function sendUpstream(
  req: IncomingMessage,
  res: ServerResponse,
  entry: LogEntry,
  ctx: Context,
  path: string,
  body: Buffer | null,
  identity: boolean,
): Promise<IncomingMessage | null> {
  const call = ctx.upstream.send(
    req.method ?? "GET",
    path,
    upstreamHeaders(req.headers, { key: ctx.key, identity }),
    body,
  );
  // A client that goes away stops the upstream request (and the tokens it would cost); once the upstream answer
  // is read, its connection goes back to the pool untouched.
  let cancelled = false;
  const stop = () => {
    cancelled = true;
    call.cancel();
  };
  res.once("close", stop);
  try {
    const answer = await call.answer;
    entry.upstream = answer.statusCode ?? null;
    answer.once("end", () => res.off("close", stop));
    return answer;
  } catch (error) {
    if (cancelled) return null;
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    entry.error = `upstream unreachable: ${code}`;
    sendError(
      res,
      502,
      `upstream ${ctx.upstream.shown} is unreachable (${code})`,
      "upstream_error",
      null,
      "upstream_unreachable",
    );
    return null;
  }
}

/** Waits until the client can take more, or has gone. */
function drain(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.once("drain", done);
    res.once("close", done);
  });
}

async function readAll(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** An upstream answer passed on as it came; an error body loses the key the proxy sent. */
async function passOn(
  res: ServerResponse,
  answer: IncomingMessage,
  applied: Record<string, string>,
  ctx: Context,
) {
  const status = answer.statusCode ?? 502;
  if (ctx.key !== undefined && status >= 400 && !answer.headers["content-encoding"]) {
    const text = (await readAll(answer)).toString("utf8").replaceAll(ctx.key, "[redacted]");
    res.writeHead(status, {
      ...answerHeaders(answer, applied, false),
      "content-length": Buffer.byteLength(text),
    });
    res.end(text);
    return;
  }
  res.writeHead(status, answerHeaders(answer, applied, true));
  answer.pipe(res);
  await new Promise<void>((resolve) => {
    res.once("close", resolve);
    answer.once("error", () => {
      res.destroy();
      resolve();
    });
  });
}

async function forward(
  req: IncomingMessage,
  res: ServerResponse,
  entry: LogEntry,
  ctx: Context,
  path: string,
  body: Buffer | null,
): Promise<void> {
  req.resume();
  const answer = await sendUpstream(req, res, entry, ctx, path, body, false);
  if (answer) await passOn(res, answer, {}, ctx);
}

async function chat(req: IncomingMessage, res: ServerResponse, entry: LogEntry, ctx: Context): Promise<void> {
  let raw: Buffer;
  try {
    raw = await readBody(req, ctx.maxBodyBytes);
  } catch (error) {
    if (error instanceof BodyTooLarge) {
      sendError(res, 413, `request body over ${ctx.maxBodyBytes} bytes`, "invalid_request_error");
      return;
    }
    throw error;
  }
  let body: unknown;
  try {
    body = JSON.parse(raw.toString("utf8"));
  } catch {
    sendError(res, 400, "the request body is not valid JSON", "invalid_request_error");
    return;
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    sendError(res, 400, "the request body must be a JSON object", "invalid_request_error");
    return;
  }
  const request = body as { messages?: unknown; stream?: unknown };
  if (!Array.isArray(request.messages) || request.messages.length === 0) {
    sendError(
      res,
      400,
      "'messages' is required: a non-empty array of chat messages",
      "invalid_request_error",
      "messages",
    );
    return;
  }
  const messages = request.messages as ChatMessage[];
  let prepared: ReturnType<typeof prepare>;
  try {
    prepared = prepare(messages, ctx.runtime);
  } catch (error) {
    if (!(error instanceof ModelspecError)) throw error;
    sendError(res, 400, error.message, "invalid_request_error", "messages");
    return;
  }
  const { applied } = prepared;
  const stream = request.stream === true;
  const guardMode = ctx.summary.guard;
  Object.assign(entry, {
    stream,
    sections: applied.sections.length,
    spotlight: applied.spotlight,
    untrusted: applied.untrusted,
    guard: guardMode === "off" ? "off" : "skipped",
  });
  if (ctx.logContent) entry.messages = messages;
  const outgoing = applied.changed
    ? Buffer.from(JSON.stringify({ ...request, messages: prepared.messages }))
    : raw;
  const read = guardMode !== "off" || ctx.logContent;
  const answer = await sendUpstream(req, res, entry, ctx, "/chat/completions", outgoing, read);
  if (!answer) return;
  const headers: Record<string, string> = {
    "x-modelspec-sections": applied.sections.join(",") || "none",
    "x-modelspec-spotlight": `${applied.spotlight}; untrusted=${applied.untrusted}`,
    "x-modelspec-guard": guardMode === "off" ? "off" : "skipped",
  };
  const status = answer.statusCode ?? 502;
  // Errors, answers the proxy need not read, and encoded bodies it cannot: passed on as they came.
  if (
    status < 200 ||
    status >= 300 ||
    !read ||
    (answer.headers["content-encoding"] ?? "identity") !== "identity"
  ) {
    await passOn(res, answer, headers, ctx);
    return;
  }
  const check = async (texts: Map<number, string>): Promise<Map<number, GuardResult>> => {
    const verdicts = new Map<number, GuardResult>();
    if (guardMode === "off") return verdicts;
    await Promise.all(
      [...texts].map(async ([index, text]) => {
        if (text.trim() !== "") verdicts.set(index, await guard(text, { messages }, ctx.runtime));
      }),
    );
    const worst = [...verdicts.values()].reduce<GuardResult["status"]>(
      (a, v) => (GUARD_ORDER.indexOf(v.status) > GUARD_ORDER.indexOf(a) ? v.status : a),
      "pass",
    );
    entry.guard = worst;
    entry.guardSections = [...new Set([...verdicts.values()].flatMap((v) => v.sections))];
    return verdicts;
  };
  const replaced = (texts: Map<number, string>, verdicts: Map<number, GuardResult>) =>
    new Map([...verdicts].filter(([i, v]) => v.text !== texts.get(i)).map(([i, v]) => [i, v.text]));
  const remember = (texts: Map<number, string>) => {
    if (ctx.logContent) entry.response = [...texts.values()].join("\n");
  };

  if (!stream) {
    const bytes = await readAll(answer);
    let completion: { choices?: { index?: number; message?: { content?: unknown } }[] } | null = null;
    try {
      completion = JSON.parse(bytes.toString("utf8"));
    } catch {
      // Not JSON: passed on as it came, unchecked.
    }
    const texts = new Map<number, string>();
    for (const [i, choice] of (completion?.choices ?? []).entries()) {
      if (typeof choice.message?.content === "string") texts.set(choice.index ?? i, choice.message.content);
    }
    remember(texts);
    const verdicts = await check(texts);
    if (guardMode !== "off") headers["x-modelspec-guard"] = entry.guard ?? "pass";
    const changes = replaced(texts, verdicts);
    let out = bytes;
    if (completion && changes.size > 0) {
      const choices = (completion.choices ?? []).map((choice, i) => {
        const text = changes.get(choice.index ?? i);
        return text === undefined ? choice : { ...choice, message: { ...choice.message, content: text } };
      });
      out = Buffer.from(JSON.stringify({ ...completion, choices }));
    }
    res.writeHead(status, { ...answerHeaders(answer, headers, false), "content-length": out.length });
    res.end(out);
    return;
  }

  const splitter = new SseSplitter();
  const texts = new Map<number, string>();
  const hold = guardMode === "block" || guardMode === "revise";
  const held: SseEvent[] = [];
  let done: SseEvent | null = null;
  if (!hold) {
    // flag (or logging only): the stream flows as it comes; the verdict follows the text, before [DONE].
    if (guardMode === "flag") headers["x-modelspec-guard"] = "pending";
    res.writeHead(status, answerHeaders(answer, headers, false));
    res.flushHeaders();
  }
  try {
    for await (const chunk of answer) {
      for (const event of splitter.push(chunk as Buffer)) {
        gatherText(event, texts);
        if (hold) held.push(event);
        else if (event.data === "[DONE]") done = event;
        else if (!res.write(event.raw)) await drain(res);
      }
      if (res.destroyed) return;
    }
  } catch {
    // The upstream went away mid-stream: end ours where it stopped.
    entry.error = "upstream stream broken";
    if (!hold) res.end();
    else res.destroy();
    return;
  }
  remember(texts);
  const verdicts = await check(texts);
  if (!hold) {
    if (guardMode === "flag") {
      const sections = entry.guardSections?.join(",") ?? "";
      res.write(
        `: x-modelspec-guard: ${entry.guard ?? "pass"}${sections ? `; sections=${sections}` : ""}\n\n`,
      );
    }
    res.end(Buffer.concat([done?.raw ?? Buffer.alloc(0), splitter.rest()]));
    return;
  }
  headers["x-modelspec-guard"] = entry.guard ?? "pass";
  const changes = replaced(texts, verdicts);
  const out = Buffer.concat([
    ...(changes.size > 0 ? replaceText(held, changes) : held.map((e) => e.raw)),
    splitter.rest(),
  ]);
  res.writeHead(status, { ...answerHeaders(answer, headers, false), "content-length": out.length });
  res.end(out);
}
