// The viewer's HTTP surface without a browser: security headers on every response (errors included), error
// pages and API errors that do not show where the database is, and `modelspec view --spec` as documented.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { openResults, type Results } from "../../src/runs/index.js";
import { createViewerApp } from "../../src/viewer/app.js";
import { SpecCatalogue } from "../../src/viewer/data/specs.js";
import { startViewer, type Viewer } from "../../src/viewer/index.js";
import { CLI, ROOT, releaseDir } from "../support/paths.js";
import { writeSyntheticDb } from "./synthetic-db.js";

const work = mkdtempSync(join(tmpdir(), "modelspec-viewer-http-"));
// A folder name that must never reach a browser: error pages and API errors do not say where the database is.
const PRIVATE = "private-folder-7f3c";
const db = join(work, PRIVATE, "results.db");
let runId: string;
let viewer: Viewer;

before(async () => {
  mkdirSync(join(work, PRIVATE));
  runId = writeSyntheticDb(db, 20, { textRepeat: 1 }).runId;
  viewer = await startViewer({ db, port: 0 });
});
after(async () => {
  await viewer?.close();
  rmSync(work, { recursive: true, force: true });
});

/** A request with any method and Host header (fetch cannot set Host). */
function get(path: string, options: { method?: string; host?: string } = {}) {
  return new Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: string;
  }>((resolve, reject) => {
    const url = new URL(path, viewer.url);
    const req = request(
      url,
      { method: options.method ?? "GET", headers: options.host ? { host: options.host } : {} },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d) => {
          body += d;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

function assertSecure(what: string, headers: { get(name: string): string | null | undefined }) {
  const csp = headers.get("content-security-policy") ?? "";
  assert.match(csp, /default-src 'none'/, `${what}: CSP`);
  assert.match(csp, /script-src 'none'/, `${what}: CSP`);
  assert.match(csp, /frame-ancestors 'none'/, `${what}: CSP frame-ancestors`);
  assert.equal(headers.get("x-content-type-options"), "nosniff", `${what}: nosniff`);
  assert.equal(headers.get("x-frame-options"), "DENY", `${what}: X-Frame-Options`);
}
const nodeHeaders = (h: Record<string, string | string[] | undefined>) => ({
  get: (name: string) => {
    const v = h[name];
    return Array.isArray(v) ? v.join(", ") : v;
  },
});

describe("viewer HTTP", () => {
  test("every response carries the security headers: pages, API, 404, 405, 421", async () => {
    const cases: [string, { method?: string; host?: string }, number][] = [
      ["/", {}, 200],
      [`/runs/${runId}`, {}, 200],
      ["/api/runs", {}, 200],
      ["/nowhere", {}, 404],
      ["/api/nowhere", {}, 404],
      ["/runs/run-000000000000", {}, 404],
      ["/api/runs/run-000000000000", {}, 404],
      ["/", { method: "POST" }, 405],
      ["/api/runs", { method: "DELETE" }, 405],
      ["/", { host: "attacker.example" }, 421],
      ["/api/runs", { host: "attacker.example:80" }, 421],
    ];
    for (const [path, options, status] of cases) {
      const what = `${options.method ?? "GET"} ${path}${options.host ? ` (Host ${options.host})` : ""}`;
      const r = await get(path, options);
      assert.equal(r.status, status, what);
      assertSecure(what, nodeHeaders(r.headers));
      if (status !== 200) {
        assert.ok(!r.body.includes(PRIVATE), `${what}: the error does not show the database path`);
        if (path.startsWith("/api")) assert.equal(typeof JSON.parse(r.body).error, "string", what);
      }
    }
  });

  test("an internal error is a 500 with the headers, and shows neither the database path nor the error", async () => {
    const results = openResults(db);
    try {
      // A database that breaks while the viewer runs: the error names the file, as SQLite and fs errors do.
      const broken = new Proxy(results, {
        get(target, key, receiver) {
          if (key === "listRuns") {
            return () => {
              throw new Error(`SQLITE_IOERR: disk I/O error reading ${db}`);
            };
          }
          return Reflect.get(target, key, receiver);
        },
      }) as Results;
      const app = createViewerApp(
        { results: broken, specs: new SpecCatalogue(broken, []), db },
        { allowedHosts: new Set(["localhost"]) },
      );
      const logged: string[] = [];
      const write = process.stderr.write;
      for (const path of ["/", "/api/runs", "/api/specs"]) {
        process.stderr.write = ((text: string) => logged.push(text) > 0) as typeof write;
        let response: Response;
        try {
          response = await app.request(path, { headers: { host: "localhost" } });
        } finally {
          process.stderr.write = write;
        }
        assert.equal(response.status, 500, path);
        assertSecure(`500 ${path}`, response.headers);
        const body = await response.text();
        assert.ok(!body.includes(PRIVATE), `${path}: no database path`);
        assert.ok(!body.includes("SQLITE_IOERR"), `${path}: the error itself stays on the server`);
      }
      // Where whoever started the viewer can read it, one line per failed request.
      assert.equal(logged.length, 3);
      assert.match(logged[0] ?? "", /^modelspec: viewer: internal error on GET \/: SQLITE_IOERR/);
    } finally {
      results.close();
    }
  });

  test("`modelspec view --spec <dir|version>` (repeatable, as in --help and the README) serves those specs", async () => {
    const specs = [releaseDir("2025-09-12"), releaseDir("2025-12-18")];
    const child = spawn(
      process.execPath,
      [CLI, "view", "--db", db, "--port", "0", ...specs.flatMap((s) => ["--spec", s])],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    const url = await Promise.race([
      new Promise<string>((resolve) => {
        child.stdout.on("data", () => {
          const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(stdout);
          if (m) resolve(m[0]);
        });
      }),
      exited.then((code) => {
        throw new Error(`view exited early (${code}): ${stderr}`);
      }),
    ]);
    const choices = (await (await fetch(`${url}api/specs`)).json()) as { source: string; origin: string }[];
    assert.deepEqual(
      choices.filter((c) => c.origin === "--spec").map((c) => c.source),
      specs,
    );
    child.kill("SIGINT");
    assert.equal(await exited, 0, stderr);
    assert.equal(stderr, "");
  });
});
