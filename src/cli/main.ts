#!/usr/bin/env node
import { setFlagsFromString } from "node:v8";
import { CommanderError } from "commander";
import { ModelspecError } from "../errors.js";
import { buildProgram } from "./program.js";

/**
 * The status when the reader of stdout has gone (`modelspec … | head`): 128 + SIGPIPE, what a shell reports for
 * a program that a closed pipe stopped. Node ignores SIGPIPE, so the write fails with EPIPE instead.
 */
const CLOSED_PIPE = 141;

// Output nobody reads any more is not an error worth a stack trace: stop at once, quietly. A closed stderr
// only loses messages; the command goes on and keeps its own status.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
  process.exit(CLOSED_PIPE);
});
process.stderr.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
});

/**
 * Exit codes: 0 ok, 1 failed check (lint errors, a gate), 2 user error (bad input), 3 internal error;
 * 130 stopped by Ctrl-C (the commands that run), 141 stdout closed early.
 */
async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    // A mistake the user can fix (a bad option, spec, dataset or database, a provider that cannot be created
    // for want of an API key): its message alone, never a stack.
    if (error instanceof ModelspecError) {
      process.stderr.write(`modelspec: ${error.message}\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`modelspec: internal error: ${message}\n`);
    if (process.env.MODELSPEC_DEBUG) process.stderr.write(`${(error as Error).stack ?? ""}\n`);
    return 3;
  }
}

// V8 lets the heap grow to up to 4x what survived the last full collection. An eval allocates fast and keeps
// little (~40 MB live), so that factor alone takes a 100 000-sample run past 300 MB resident; 1.5x keeps it near
// 200 MB at no measured cost in speed (bench/throughput.bench.ts). Read at each collection, so settable here.
setFlagsFromString("--heap-growing-percent=50");

main(process.argv).then((code) => {
  process.exitCode = code;
});
