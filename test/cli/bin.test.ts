// The README's way in: after `npm install` (which builds in `prepare`), `npx modelspec …` runs the built bin.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { accessSync, constants, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { CLI, ROOT, releaseDir } from "../support/paths.js";

test("npx modelspec runs the built bin (executable, current version, a real command)", () => {
  assert.doesNotThrow(
    () => accessSync(CLI, constants.X_OK),
    `${CLI} must exist and be executable (npm install builds it)`,
  );
  const npx = (...args: string[]) =>
    spawnSync("npx", ["--no-install", "modelspec", ...args], { cwd: ROOT, encoding: "utf8" });
  const version = npx("--version");
  assert.equal(version.status, 0, version.stderr);
  assert.equal(version.stdout.trim(), JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version);
  const list = npx("spec", "list", "--spec", releaseDir("2025-12-18"), "--json");
  assert.equal(list.status, 0, list.stderr);
  assert.equal(JSON.parse(list.stdout).length, 80);
});
