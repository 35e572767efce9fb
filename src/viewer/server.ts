/** Starts the viewer: opens the results database read-only and serves the app on host:port. */
import type { Server } from "node:http";
import { createAdaptorServer } from "@hono/node-server";
import { listen } from "../listen.js";
import { openResults } from "../runs/index.js";
import { createViewerApp } from "./app.js";
import { SpecCatalogue } from "./data/specs.js";
import { DEFAULT_VIEWER_PORT } from "./defaults.js";

export interface ViewerOptions {
  /** The results database (opened read-only; it must exist). */
  db: string;
  /** 0 picks a free port. Default 4173. */
  port?: number;
  /** Default 127.0.0.1 (this machine only). */
  host?: string;
  /** Specs for the spec browser (folders or release versions); runs use their own spec when it can be found. */
  spec?: string | readonly string[];
}

export interface Viewer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const isLoopback = (host: string) =>
  host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);

export async function startViewer(options: ViewerOptions): Promise<Viewer> {
  const host = options.host ?? "127.0.0.1";
  const results = openResults(options.db);
  const specs = new SpecCatalogue(
    results,
    typeof options.spec === "string" ? [options.spec] : (options.spec ?? []),
  );
  const urlHost = host.includes(":") ? `[${host}]` : host;
  const allowedHosts = isLoopback(host) ? new Set(["localhost", "127.0.0.1", "[::1]", urlHost]) : null;
  const app = createViewerApp({ results, specs, db: options.db }, { allowedHosts });
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  let port: number;
  try {
    port = await listen(server, options.port ?? DEFAULT_VIEWER_PORT, host);
  } catch (error) {
    results.close();
    throw error;
  }
  const shownHost = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "[::1]" : urlHost;
  let closed: Promise<void> | null = null;
  return {
    url: `http://${shownHost}:${port}/`,
    port,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => {
          results.close();
          resolve();
        });
        // Keep-alive connections would hold close() open until they time out.
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
