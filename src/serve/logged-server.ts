/** What the proxy and the grader server share around their handlers: one log line per request, and a drain. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

/** The fields every log line has; each server adds its own. */
export interface RequestLog {
  time: string;
  method: string;
  path: string;
  status: number;
  ms: number;
  error?: string;
}

/** A server whose requests are logged, and which can close its connections once the requests in flight end. */
export interface LoggedServer {
  server: Server;
  /** Closes every connection now when no request is in flight, else when the last one ends. */
  closeConnectionsWhenDrained(): void;
}

/**
 * A node:http server that gives each request a log entry (`extra` adds the server's own fields), runs `handle`,
 * and writes the entry as one JSON line when the response closes (a client that left is said so). A handler that
 * throws goes to `fail`, which must answer or destroy the response: never a crash of the server.
 *
 * @example
 * const { server } = loggedServer(log, () => ({}), handle, (error, res) => res.destroy());
 */
export function loggedServer<E extends RequestLog>(
  log: (line: string) => void,
  extra: () => Omit<E, keyof RequestLog>,
  handle: (req: IncomingMessage, res: ServerResponse, entry: E) => Promise<void>,
  fail: (error: unknown, res: ServerResponse, entry: E) => void,
): LoggedServer {
  let inFlight = 0;
  let drained: (() => void) | null = null;
  const server = createServer((req, res) => {
    inFlight++;
    const started = performance.now();
    const entry = {
      time: new Date().toISOString(),
      method: req.method ?? "",
      path: (req.url ?? "/").split("?")[0] ?? "/",
      status: 0,
      ms: 0,
      ...extra(),
    } as E;
    res.once("close", () => {
      entry.status = res.statusCode;
      entry.ms = Math.round((performance.now() - started) * 100) / 100;
      if (!res.writableFinished) entry.error ??= "client closed the connection";
      log(JSON.stringify(entry));
      inFlight--;
      if (inFlight === 0) drained?.();
    });
    handle(req, res, entry).catch((error: unknown) => fail(error, res, entry));
  });
  server.on("clientError", (_error, socket) => socket.destroy());
  return {
    server,
    closeConnectionsWhenDrained() {
      const finish = () => server.closeAllConnections();
      if (inFlight === 0) finish();
      else drained = finish;
    },
  };
}

/** The host to show in a URL: a wildcard address as the loopback one, an IPv6 address in brackets. */
export function shownHost(host: string): string {
  return host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "[::1]" : host.includes(":") ? `[${host}]` : host;
}
