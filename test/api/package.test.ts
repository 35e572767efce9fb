// The package as a consumer gets it: `import "modelspec"` resolves through package.json `exports` to the built
// library (dist/, which `npm test` builds first), with its types.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT, releaseDir } from "../support/paths.js";

test("a project that depends on modelspec imports the library, typed", () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  const entry = pkg.exports["."];
  assert.ok(existsSync(join(ROOT, entry.import)), `${entry.import} is built`);
  assert.ok(existsSync(join(ROOT, entry.types)), `${entry.types} is built`);
  const app = mkdtempSync(join(tmpdir(), "modelspec-consumer-"));
  try {
    mkdirSync(join(app, "node_modules"));
    symlinkSync(ROOT, join(app, "node_modules", "modelspec"), "dir");
    writeFileSync(join(app, "package.json"), '{ "type": "module" }\n');
    writeFileSync(
      join(app, "main.js"),
      `import { evaluate, loadSpec, openResults, ModelspecError } from "modelspec";
const spec = loadSpec(process.argv[2]);
console.log(JSON.stringify({ sections: spec.sections.length, evaluate: typeof evaluate, openResults: typeof openResults, errors: typeof ModelspecError }));`,
    );
    const run = spawnSync(process.execPath, ["main.js", releaseDir("2025-12-18")], {
      cwd: app,
      encoding: "utf8",
    });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), {
      sections: 80,
      evaluate: "function",
      openResults: "function",
      errors: "function",
    });
  } finally {
    rmSync(app, { recursive: true, force: true });
  }
});
