// `modelspec … | head`: when the reader of stdout goes away early, the command ends quietly with 141 (128 +
// SIGPIPE, what a shell reports for a program stopped by a closed pipe) instead of printing an EPIPE stack.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { describe, test } from "node:test";
import { CLI, ROOT, releaseDir } from "../support/paths.js";

const SPEC = releaseDir("2025-12-18");

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI with stdout read by a reader that stops early: after `bytes` bytes (like `head -c`), or
 * before anything is written when `bytes` is 0. stderr is collected whole.
 */
function runIntoClosedPipe(args: string[], bytes: number): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    if (bytes === 0) child.stdout.destroy();
    else {
      child.stdout.on("data", (d: Buffer) => {
        stdout += d;
        if (stdout.length >= bytes) child.stdout.destroy();
      });
    }
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

function assertQuiet(r: Ended, what: string) {
  assert.doesNotMatch(r.stderr, /^\s+at /m, `${what}: no stack trace`);
  assert.equal(r.stderr, "", `${what}: nothing on stderr`);
  assert.equal(r.code, 141, `${what}: exit 141`);
}

describe("output into a pipe that closes early", { concurrency: true }, () => {
  test("spec export --json | head -1: one large write cut short", async () => {
    const r = await runIntoClosedPipe(["spec", "export", "--spec", SPEC, "--json"], 1);
    assert.match(r.stdout, /^\{/);
    assertQuiet(r, "export --json");
  });

  test("spec export --jsonl examples | head: line after line", async () => {
    const r = await runIntoClosedPipe(["spec", "export", "--spec", SPEC, "--jsonl", "examples"], 1000);
    assertQuiet(r, "export --jsonl");
  });

  test("a reader that is gone before the first line: --help, spec list, spec show", async () => {
    const forms = [
      ["--help"],
      ["spec", "list", "--spec", SPEC],
      ["spec", "show", "ignore_untrusted_data", "--spec", SPEC, "--json"],
    ];
    const results = await Promise.all(forms.map((args) => runIntoClosedPipe(args, 0)));
    results.forEach((r, i) => {
      assertQuiet(r, forms[i]?.join(" ") ?? "");
    });
  });

  test("a closed stderr does not crash a command nor change its status", async () => {
    const r = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, "spec", "show", "no_such_section", "--spec", SPEC], {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      });
      child.stderr.destroy();
      child.stdout.resume();
      child.on("error", reject);
      child.on("close", resolve);
    });
    assert.equal(r, 2, "the refusal's own status (bad input), its one line unread");
  });
});
