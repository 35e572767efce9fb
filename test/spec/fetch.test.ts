import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { runCli } from "../support/cli.js";
import { releaseDir } from "../support/paths.js";

// A loopback mirror serving the release from ../shared; `corrupt` flips the served bytes of one file.
let server: Server;
let mirror = "";
let corrupt: string | null = null;
let closed = ""; // a loopback URL where nothing listens
const cache = mkdtempSync(join(tmpdir(), "modelspec-cache-"));
const env = { MODELSPEC_CACHE_DIR: cache };

before(async () => {
  server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname).replace(/^\/+/, "");
    const file = join(releaseDir("2025-12-18"), path);
    if (path.includes("..") || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    const body = readFileSync(file);
    if (path === corrupt) body[0] = (body[0] ?? 0) ^ 1;
    res.writeHead(200).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  closed = `http://127.0.0.1:${(probe.address() as AddressInfo).port}/`;
  await new Promise((resolve) => probe.close(resolve));
});
after(() => {
  server.close();
  rmSync(cache, { recursive: true, force: true });
});

describe("spec fetch", () => {
  test("a corrupted file fails the sha256 check and nothing is cached", async () => {
    corrupt = "examples/0dh6.md";
    const r = await runCli(["spec", "fetch", "2025-12-18", "--from", mirror], { env });
    corrupt = null;
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^modelspec: examples\/0dh6\.md: sha256 mismatch/);
    assert.equal(existsSync(join(cache, "specs", "2025-12-18")), false);
  });

  test("downloads, verifies and caches; --spec <version> then reads the cache", async () => {
    const r = await runCli(["spec", "fetch", "2025-12-18", "--from", mirror, "--json"], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      version: "2025-12-18",
      dir: join(cache, "specs", "2025-12-18"),
      files: 115,
      cached: false,
    });
    const again = await runCli(["spec", "fetch", "2025-12-18", "--from", closed, "--json"], { env });
    assert.equal(JSON.parse(again.stdout).cached, true, "a verified cache is not downloaded again");
    const list = await runCli(["spec", "list", "--spec", "2025-12-18", "--json"], { env });
    assert.equal(JSON.parse(list.stdout).length, 80);
  });

  test("no network gives one clear message", async () => {
    const r = await runCli(["spec", "fetch", "2025-09-12", "--from", closed], { env });
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      `modelspec: cannot download ${closed.slice(0, -1)}: ECONNREFUSED (no network? use --from <folder> for a local copy)\n`,
    );
    assert.equal(r.stderr.trim().split("\n").length, 1);
  });

  test("a local folder works as a source, still verified; a release not fetched is explained", async () => {
    const r = await runCli(["spec", "fetch", "2025-02-12", "--from", releaseDir("2025-02-12")], { env });
    assert.equal(r.code, 0, r.stderr);
    const wrong = await runCli(["spec", "fetch", "2025-04-11", "--from", releaseDir("2025-02-12")], { env });
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /sha256 mismatch/);
    const missing = await runCli(["spec", "list", "--spec", "2025-04-11"], { env });
    assert.match(
      missing.stderr,
      /release 2025-04-11 is not in the cache .*run `modelspec spec fetch 2025-04-11` first/,
    );
  });
});
