// A scriptable stand-in for OpenAI-compatible and Anthropic endpoints, bound to 127.0.0.1 on a free port.
// Tests start it themselves so provider code runs against real HTTP (headers, status codes, dropped sockets)
// without any network access or API key.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

interface FakeUsage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens?: number;
}

/** What the server does with one request. */
export type FakeReply =
  | { text: string; finishReason?: string; refusal?: string; usage?: FakeUsage }
  /** Structured output: JSON text in the message, or a tool_use block when Anthropic forces a tool. */
  | { json: unknown; usage?: FakeUsage }
  | {
      status: number;
      /** Sent verbatim as `Retry-After` (seconds or an HTTP date). */
      retryAfter?: string;
      /** Sent verbatim as `retry-after-ms`. */
      retryAfterMs?: string;
      /** Error message in the provider's error body. */
      message?: string;
      /**
       * OpenAI `error.code` (e.g. insufficient_quota) / Anthropic `error.type` (e.g. overloaded_error); a number
       * is an HTTP status inside the body (`error.code` for both), as OpenRouter-style servers send with a 200.
       */
      code?: string | number;
      headers?: Record<string, string>;
      /**
       * Copy the request's credentials (Authorization, x-api-key) and its URL into the error message, as broken
       * proxies do; `url-encoded` copies them percent-encoded.
       */
      echoAuth?: boolean | "url-encoded";
    }
  /** 200 with a JSON content type and a body that is not JSON. */
  | { malformed: true }
  /** 200 with the first half of a healthy answer's JSON (a complete HTTP message whose body was cut short). */
  | { truncated: true }
  /** 200 with a healthy answer's JSON whose text holds bytes that are not UTF-8. */
  | { invalidUtf8: true }
  /**
   * A text answer of this many bytes, streamed in chunks (never held whole, so a test can measure the client's
   * memory); with `declareLength` it announces its Content-Length, else it is sent chunked. Status 200 unless
   * `status` says otherwise (a huge error page).
   */
  | { largeText: number; declareLength?: boolean; status?: number }
  /** 200 with this exact JSON body, e.g. one without choices. */
  | { body: unknown }
  /** Destroys the socket without answering. */
  | { reset: true }
  /** Never answers (until the client gives up or the server closes). */
  | { hang: true }
  /** Sends 200 headers and the start of a body, then stalls: SDK timeouts only cover the headers. */
  | { stallBody: true }
  /**
   * A 200 `text/event-stream` body written exactly as these pieces (each one write, `gapMs` apart), for tests of
   * what a proxy does to a stream. A `text` reply to a request with `stream: true` is streamed on its own.
   */
  | { events: (string | Uint8Array)[]; gapMs?: number };

type FakeApi = "openai" | "anthropic";

export interface RecordedRequest {
  api: FakeApi | "unknown";
  method: string;
  path: string;
  /** The request target as sent: the path with its query. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, or the raw text when it was not JSON. */
  body: unknown;
  /** When the request arrived (Date.now(), before its body was read). */
  at: number;
  /** What the server answered and when; unset while the request hangs or when the socket was reset. */
  response?: { at: number; status: number; headers: Record<string, string> };
}

type FakeScript = FakeReply[] | ((body: unknown, callIndex: number, request: RecordedRequest) => FakeReply);

export interface FakeLlmServerOptions {
  /** Replies in order (then `defaultReply`), or a function of the body and the 0-based call index. */
  script?: FakeScript;
  /** Used when the queue is empty or no script is set. Default `{ text: "OK" }`. */
  defaultReply?: FakeReply;
  /** Delay before every answer. */
  latencyMs?: number;
  /** Answer 429 with Retry-After once more than this many requests arrived within the last minute. */
  requestsPerMinute?: number;
  /**
   * Enforce `requestsPerMinute` over a sliding window this long instead of a minute (at most
   * requestsPerMinute·rateWindowMs/60000 requests per window), so a short run meets a steady rate rather than
   * one burst. The 429 then also carries `retry-after-ms`. Default 60000.
   */
  rateWindowMs?: number;
  /**
   * Keep each request's body and headers in `requests` (default true). Long benchmarks turn it off: the
   * script still sees every body, but `requests` only keeps the api, path, timestamps and response.
   */
  keepBodies?: boolean;
}

export interface FakeLlmServer {
  /** `http://127.0.0.1:PORT`, without a trailing slash or `/v1`. */
  readonly url: string;
  /** Every request received, in arrival order (including rate-limited ones). */
  readonly requests: RecordedRequest[];
  setScript(script: FakeScript): void;
  close(): Promise<void>;
}

const DEFAULT_FAKE_USAGE: Required<FakeUsage> = {
  inputTokens: 10,
  outputTokens: 5,
  cachedInputTokens: 0,
};

export async function startFakeLlmServer(options: FakeLlmServerOptions = {}): Promise<FakeLlmServer> {
  let script: FakeScript = options.script ?? [];
  let queueIndex = 0;
  let callIndex = 0;
  const defaultReply = options.defaultReply ?? { text: "OK" };
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const arrivals: number[] = [];

  const nextReply = (body: unknown, recorded: RecordedRequest): FakeReply => {
    const index = callIndex++;
    if (typeof script === "function") return script(body, index, recorded);
    const reply = script[queueIndex];
    if (reply === undefined) return defaultReply;
    queueIndex++;
    return reply;
  };

  const windowMs = options.rateWindowMs ?? 60_000;
  /** The wait before a slot frees, in ms, when this request is over the limit. */
  const rateLimited = (): number | undefined => {
    if (options.requestsPerMinute === undefined) return undefined;
    const limit = Math.max(1, Math.floor((options.requestsPerMinute * windowMs) / 60_000));
    const now = Date.now();
    while (arrivals.length > 0 && (arrivals[0] ?? 0) <= now - windowMs) arrivals.shift();
    if (arrivals.length >= limit) {
      const oldest = arrivals[0] ?? now;
      return Math.max(1, oldest + windowMs - now);
    }
    arrivals.push(now);
    return undefined;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const at = Date.now();
    const raw = await readBody(req);
    let body: unknown = raw;
    try {
      body = raw === "" ? undefined : JSON.parse(raw);
    } catch {
      // Keep the raw text: tests may want to see what was sent.
    }
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const api: RecordedRequest["api"] = path.endsWith("/chat/completions")
      ? "openai"
      : path.endsWith("/messages")
        ? "anthropic"
        : "unknown";
    const url = req.url ?? "/";
    const recorded: RecordedRequest = {
      api,
      method: req.method ?? "",
      path,
      url,
      headers: req.headers,
      body,
      at,
    };
    const kept: RecordedRequest =
      options.keepBodies === false ? { ...recorded, headers: {}, body: undefined } : recorded;
    res.on("finish", () => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(res.getHeaders())) headers[name] = String(value);
      kept.response = { at: Date.now(), status: res.statusCode, headers };
    });
    requests.push(kept);

    if (req.method === "GET" && path.endsWith("/models")) {
      sendJson(res, 200, {
        object: "list",
        data: [{ id: "fake-model", object: "model", created: 0, owned_by: "fake" }],
      });
      return;
    }
    if (api === "unknown" || req.method !== "POST") {
      sendJson(res, 404, { error: { message: `fake server: no route for ${req.method} ${url}` } });
      return;
    }
    const limitedFor = rateLimited();
    const reply: FakeReply =
      limitedFor !== undefined
        ? {
            status: 429,
            retryAfter: String(Math.max(1, Math.ceil(limitedFor / 1000))),
            ...(options.rateWindowMs !== undefined ? { retryAfterMs: String(limitedFor) } : {}),
            message: "fake server: requests-per-minute limit",
          }
        : nextReply(body, recorded);

    if ("hang" in reply) return;
    if ("reset" in reply) {
      req.socket.destroy();
      return;
    }
    if (options.latencyMs) {
      await delay(options.latencyMs, timers);
      if (res.destroyed || req.socket.destroyed) return;
    }
    answer(res, api, recorded, reply);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent || res.destroyed) return;
      sendJson(res, 500, { error: { message: `fake server bug: ${String(error)}` } });
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setScript(next) {
      script = next;
      queueIndex = 0;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      // Hanging requests keep their sockets open; destroy them so close() always finishes.
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function answer(res: ServerResponse, api: FakeApi, request: RecordedRequest, reply: FakeReply): void {
  const requestBody = request.body;
  if ("largeText" in reply) {
    sendLarge(res, api, requestBody, reply);
    return;
  }
  if ("status" in reply) {
    const headers: Record<string, string> = { ...reply.headers };
    if (reply.retryAfter !== undefined) headers["retry-after"] = reply.retryAfter;
    if (reply.retryAfterMs !== undefined) headers["retry-after-ms"] = reply.retryAfterMs;
    let message = reply.message ?? `fake server: status ${reply.status}`;
    if (reply.echoAuth) {
      const { authorization, "x-api-key": apiKey, host } = request.headers;
      const encode = reply.echoAuth === "url-encoded" ? encodeURIComponent : (text: string) => text;
      message = `${message} (you sent authorization=${encode(String(authorization))} x-api-key=${encode(String(apiKey))} to ${encode(`http://${host}${request.url}`)})`;
      headers["x-echo-authorization"] = String(authorization);
    }
    const { code } = reply;
    const body =
      api === "openai"
        ? {
            error: { message, type: typeof code === "string" ? code : "fake_error", code: code ?? null },
          }
        : {
            type: "error",
            error: {
              type: typeof code === "string" ? code : "api_error",
              message,
              ...(typeof code === "number" ? { code } : {}),
            },
          };
    sendJson(res, reply.status, body, headers);
    return;
  }
  if ("stallBody" in reply) {
    res.writeHead(200, { "content-type": "application/json" });
    res.write('{"id": "stalled", ');
    return;
  }
  if ("malformed" in reply) {
    res.writeHead(200, { "content-type": "application/json" });
    res.end("{ this is not json");
    return;
  }
  if ("truncated" in reply) {
    const text = JSON.stringify(healthyReply(api, { text: "a truncated answer" }, requestBody));
    sendJson(res, 200, undefined, {}, text.slice(0, Math.floor(text.length / 2)));
    return;
  }
  if ("invalidUtf8" in reply) {
    const [head, tail] = JSON.stringify(healthyReply(api, { text: "@@BYTES@@" }, requestBody)).split(
      "@@BYTES@@",
    );
    // 0xC3 must start a two-byte sequence; 0x28 cannot continue one. 0xFF never occurs in UTF-8.
    const bytes = Buffer.concat([
      Buffer.from(`${head}caf`),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from(`${tail}`),
    ]);
    res.writeHead(200, { "content-type": "application/json", "content-length": bytes.length });
    res.end(bytes);
    return;
  }
  if ("body" in reply) {
    sendJson(res, 200, reply.body);
    return;
  }
  if ("events" in reply) {
    sendEvents(res, reply.events, reply.gapMs ?? 0);
    return;
  }
  if ("text" in reply && api === "openai" && (requestBody as { stream?: unknown })?.stream === true) {
    sendEvents(res, openAIStream(reply, requestBody), 0);
    return;
  }
  if ("text" in reply || "json" in reply) {
    sendJson(res, 200, healthyReply(api, reply, requestBody));
  }
}

/** A text answer as Chat Completions streams it: a role chunk, the text a few words a chunk, the finish, [DONE]. */
function openAIStream(reply: Extract<FakeReply, { text: string }>, requestBody: unknown): string[] {
  const base = { id: "chatcmpl-fake", object: "chat.completion.chunk", created: 0, model: "fake-model" };
  const chunk = (delta: object, finish: string | null = null) =>
    `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] })}\n\n`;
  const words = reply.text.match(/\S+\s*|\s+/g) ?? [];
  const usage = { ...DEFAULT_FAKE_USAGE, ...reply.usage };
  const withUsage = (requestBody as { stream_options?: { include_usage?: unknown } })?.stream_options
    ?.include_usage;
  return [
    chunk({ role: "assistant", content: "" }),
    ...words.map((word) => chunk({ content: word })),
    chunk({}, reply.finishReason ?? "stop"),
    ...(withUsage === true
      ? [
          `data: ${JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: usage.inputTokens, completion_tokens: usage.outputTokens, total_tokens: usage.inputTokens + usage.outputTokens } })}\n\n`,
        ]
      : []),
    "data: [DONE]\n\n",
  ];
}

/** Writes each piece as it is, `gapMs` apart, on a 200 event stream. */
function sendEvents(res: ServerResponse, pieces: readonly (string | Uint8Array)[], gapMs: number): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  let next = 0;
  const write = () => {
    if (res.destroyed) return;
    const piece = pieces[next++];
    if (piece === undefined) {
      res.end();
      return;
    }
    res.write(piece);
    if (gapMs > 0) setTimeout(write, gapMs);
    else write();
  };
  write();
}

type AnswerReply = Extract<FakeReply, { text: string } | { json: unknown }>;

function healthyReply(api: FakeApi, reply: AnswerReply, requestBody: unknown): unknown {
  return api === "openai" ? openAIReply(reply) : anthropicReply(reply, requestBody);
}

/** An answer whose text is `largeText` bytes of "a", written 64 KiB at a time as the socket drains. */
function sendLarge(
  res: ServerResponse,
  api: FakeApi,
  requestBody: unknown,
  reply: Extract<FakeReply, { largeText: number }>,
) {
  const size = reply.largeText;
  const [head = "", tail = ""] = JSON.stringify(healthyReply(api, { text: "@@LARGE@@" }, requestBody)).split(
    "@@LARGE@@",
  );
  res.setHeader("content-type", "application/json");
  if (reply.declareLength) {
    res.setHeader("content-length", Buffer.byteLength(head) + size + Buffer.byteLength(tail));
  }
  res.writeHead(reply.status ?? 200);
  res.write(head);
  const chunk = Buffer.alloc(64 * 1024, "a");
  let left = size;
  const pump = () => {
    while (left > 0 && !res.destroyed) {
      const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
      left -= piece.length;
      if (!res.write(piece)) {
        res.once("drain", pump);
        return;
      }
    }
    if (!res.destroyed) res.end(tail);
  };
  // A client that stops reading closes the socket: stop writing rather than buffer the rest.
  res.on("close", () => {
    left = 0;
  });
  pump();
}

function openAIReply(reply: AnswerReply): unknown {
  const usage = { ...DEFAULT_FAKE_USAGE, ...reply.usage };
  const text = "text" in reply ? reply.text : JSON.stringify(reply.json);
  return {
    id: "chatcmpl-fake",
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: "fake-model",
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: "text" in reply && reply.refusal !== undefined ? null : text,
          refusal: "text" in reply ? (reply.refusal ?? null) : null,
        },
        finish_reason: ("text" in reply ? reply.finishReason : undefined) ?? "stop",
        logprobs: null,
      },
    ],
    usage: {
      prompt_tokens: usage.inputTokens,
      completion_tokens: usage.outputTokens,
      total_tokens: usage.inputTokens + usage.outputTokens,
      prompt_tokens_details: { cached_tokens: usage.cachedInputTokens },
    },
  };
}

function anthropicReply(reply: AnswerReply, requestBody: unknown) {
  const usage = { ...DEFAULT_FAKE_USAGE, ...reply.usage };
  const forcedTool = forcedToolName(requestBody);
  const content =
    "json" in reply && forcedTool !== undefined
      ? [{ type: "tool_use", id: "toolu_fake", name: forcedTool, input: reply.json }]
      : [{ type: "text", text: "text" in reply ? reply.text : JSON.stringify(reply.json) }];
  return {
    id: "msg_fake",
    type: "message",
    role: "assistant",
    model: "fake-model",
    content,
    stop_reason: ("text" in reply ? reply.finishReason : undefined) ?? (forcedTool ? "tool_use" : "end_turn"),
    stop_sequence: null,
    // Anthropic counts cache reads apart from input_tokens.
    usage: {
      input_tokens: usage.inputTokens - usage.cachedInputTokens,
      output_tokens: usage.outputTokens,
      cache_read_input_tokens: usage.cachedInputTokens,
      cache_creation_input_tokens: 0,
    },
  };
}

function forcedToolName(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const choice = (body as { tool_choice?: { type?: string; name?: string } }).tool_choice;
  return choice?.type === "tool" ? choice.name : undefined;
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  text: string = JSON.stringify(body),
) {
  // setHeader rather than writeHead(status, headers), so the recorded response can list them (getHeaders).
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader("content-type", "application/json");
  res.setHeader("content-length", Buffer.byteLength(text));
  res.writeHead(status);
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function delay(ms: number, timers: Set<NodeJS.Timeout>): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      resolve();
    }, ms);
    timers.add(timer);
  });
}
