import type { Command } from "commander";
import { DEFAULTS } from "../../runs/index.js";
import { DEFAULT_VIEWER_PORT } from "../../viewer/defaults.js";
import { examples } from "../output.js";
import { collect, numberOption } from "../parse-options.js";
import { untilStopped } from "../until-stopped.js";

interface ViewOptions {
  db: string;
  host: string;
  port: number;
  spec: string[];
}

export function registerViewCommand(program: Command): void {
  program
    .command("view")
    .description(
      "Browse results in a local web app: runs, charts by section and authority, samples, comparisons, the spec",
    )
    .option("--db <file>", "results database (opened read-only)", DEFAULTS.db)
    .option("--host <host>", "address to listen on (127.0.0.1: this machine only)", "127.0.0.1")
    .addOption(numberOption("--port <n>", "port (0 picks a free one)", "port", DEFAULT_VIEWER_PORT))
    .option(
      "--spec <dir|version>",
      "spec for the spec browser and diffs (repeatable; runs show their own spec)",
      collect,
      [],
    )
    .addHelpText(
      "after",
      examples(
        "modelspec view",
        "modelspec view --db results.db --port 8080 --spec 2025-09-12 --spec 2025-12-18",
      ),
    )
    .action(async (opts: ViewOptions) => {
      // Loaded on use: the web stack costs every other command memory and start-up time.
      const { startViewer } = await import("../../viewer/index.js");
      const viewer = await startViewer({
        db: opts.db,
        host: opts.host,
        port: opts.port,
        spec: opts.spec,
      });
      process.stdout.write(`modelspec viewer: ${viewer.url}  (${opts.db}, read-only; Ctrl-C to stop)\n`);
      if (opts.host !== "127.0.0.1" && opts.host !== "localhost" && opts.host !== "::1") {
        process.stderr.write(
          `modelspec: warning: listening on ${opts.host}: anyone who can reach it can read the results\n`,
        );
      }
      await untilStopped();
      await viewer.close();
      process.stdout.write("modelspec viewer: stopped\n");
    });
}
