import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { UsageError } from "./errors.js";

/**
 * Starts `server` listening on `host`:`port` and returns the port it got (0 asks for a free one). A port in use
 * or a host that cannot be listened on is a `UsageError` naming the flag, as every local server here reports it.
 *
 * @example
 * const port = await listen(createServer(handler), 0, "127.0.0.1");
 */
export async function listen(server: Server, port: number, host: string): Promise<number> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") throw new UsageError(`port ${port} on ${host} is in use; pass another --port`);
    if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND")
      throw new UsageError(`cannot listen on --host ${host}`);
    throw error;
  }
  return (server.address() as AddressInfo).port;
}
