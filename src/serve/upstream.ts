/**
 * The upstream server: its base URL checked once, and requests sent with node:http(s) over kept-alive
 * connections. Not fetch: a proxy must pass bodies on as the bytes received (fetch decodes gzip), stream them
 * with back-pressure, and stop the upstream request when its client goes away.
 */
import {
  type ClientRequest,
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
} from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { UsageError } from "../errors.js";

export interface Upstream {
  /** The base URL as shown in messages and logs: scheme, host, port and path, never credentials or a query. */
  readonly shown: string;
  /**
   * Sends a request to base path + `path` (e.g. `/chat/completions`): its answer (rejected when the server cannot
   * be reached), and a way to stop it (the answer, even half read, is dropped).
   */
  send(
    method: string,
    path: string,
    headers: Record<string, string | string[]>,
    body: Buffer | null,
  ): { answer: Promise<IncomingMessage>; cancel(): void };
  close(): void;
}

/** Headers that belong to one connection, not to the message: never forwarded either way. */
export const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
  "content-length",
]);

/** The upstream of `--upstream <url>`: an http(s) base URL such as http://localhost:8000/v1. */
export function createUpstream(url: string): Upstream {
  let base: URL;
  try {
    base = new URL(url);
  } catch {
    throw new UsageError(`--upstream ${url.includes("@") ? "(URL hidden)" : url}: not a valid URL`);
  }
  if (base.protocol !== "http:" && base.protocol !== "https:") {
    throw new UsageError(`--upstream: expected an http:// or https:// URL (got ${base.protocol})`);
  }
  if (base.username !== "" || base.password !== "") {
    // A key in the URL would end up in every log line and error that names the upstream.
    throw new UsageError(
      "--upstream: credentials in the URL are refused; pass the key with --upstream-key-env",
    );
  }
  const prefix = base.pathname.replace(/\/+$/, "");
  const shown = `${base.origin}${prefix}`;
  const secure = base.protocol === "https:";
  const agent = secure ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  const send = secure ? httpsRequest : httpRequest;
  return {
    shown,
    send(method, path, headers, body) {
      let outgoing: ClientRequest | undefined;
      const answer = new Promise<IncomingMessage>((resolve, reject) => {
        outgoing = send(
          {
            protocol: base.protocol,
            hostname: base.hostname.replace(/^\[|\]$/g, ""),
            port: base.port,
            method,
            path: `${prefix}${path}${base.search}`,
            headers: body ? { ...headers, "content-length": String(body.length) } : headers,
            agent,
          },
          resolve,
        );
        outgoing.on("error", reject);
        outgoing.end(body ?? undefined);
      });
      // (Destroying the request rather than an AbortSignal: the signal's listeners cost every request.)
      return { answer, cancel: () => outgoing?.destroy() };
    },
    close() {
      agent.destroy();
    },
  };
}

/** The client's headers as sent upstream: without hop-by-hop ones, the key replaced when the proxy holds one. */
export function upstreamHeaders(
  incoming: IncomingHttpHeaders,
  options: { key: string | undefined; identity: boolean },
): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    // The proxy reads the body when it guards or logs it: it asks for it unencoded.
    if (options.identity && name === "accept-encoding") continue;
    headers[name] = value;
  }
  if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
  return headers;
}
