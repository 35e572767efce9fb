// The layering rule of docs/architecture.md, checked on the real import graph of src/ (static imports, re-exports
// and dynamic import()s, type-only ones included): no import cycles, and no module imports a layer above its own.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, test } from "node:test";
import ts from "typescript";
import { ROOT } from "../support/paths.js";

const SRC = join(ROOT, "src");

/** Each folder (or root file) of src/ and its layer: a module may import its own layer and the ones below. */
const LAYERS: Record<string, number> = {
  "errors.ts": 0,
  "version.ts": 0,
  "listen.ts": 0,
  "output-files.ts": 0,
  "checked-options.ts": 0,
  stats: 0,
  conversation: 1,
  spec: 1,
  dataset: 2,
  providers: 2,
  judge: 2,
  runner: 3,
  store: 3,
  runs: 4,
  report: 5,
  runtime: 5,
  training: 5,
  generate: 5,
  "index.ts": 6,
  cli: 7,
  viewer: 7,
  serve: 7,
};
const SURFACES = ["cli", "viewer", "serve"];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

/** The folder (or root file) of src/ a file belongs to. */
const areaOf = (file: string) => relative(SRC, file).split("/")[0] as string;

/** Every src/ file with the src/ files it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    const targets = info.importedFiles
      .map((f) => f.fileName)
      .filter((name) => name.startsWith("."))
      .map((name) => resolve(dirname(file), name.replace(/\.js$/, ".ts")))
      .filter((target) => target.endsWith(".ts"));
    graph.set(file, targets);
  }
  return graph;
}

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    indices.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, indices.get(w) as number));
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component);
    }
  };
  for (const v of graph.keys()) if (!indices.has(v)) visit(v);
  return found;
}

describe("import graph of src/", () => {
  const graph = importGraph();
  const name = (file: string) => relative(ROOT, file);

  test("every import names a file that exists", () => {
    const missing = [...graph].flatMap(([file, targets]) =>
      targets.filter((t) => !graph.has(t)).map((t) => `${name(file)} → ${name(t)}`),
    );
    assert.deepEqual(missing, []);
  });

  test("no import cycles, between files or between folders", () => {
    assert.deepEqual(
      cycles(graph).map((c) => c.map(name).sort()),
      [],
      "files that import each other, directly or around a circle",
    );
    const folders = new Map<string, string[]>();
    for (const [file, targets] of graph) {
      const from = areaOf(file);
      folders.set(from, [
        ...new Set([...(folders.get(from) ?? []), ...targets.map(areaOf).filter((a) => a !== from)]),
      ]);
    }
    assert.deepEqual(cycles(folders), [], "folders that import each other");
  });

  test("every folder has a layer, and no module imports a layer above its own", () => {
    const unknown = [...new Set([...graph.keys()].map(areaOf))].filter((a) => LAYERS[a] === undefined);
    assert.deepEqual(unknown, [], "add new folders to LAYERS here and to docs/architecture.md");
    const upward = [...graph].flatMap(([file, targets]) =>
      targets
        .filter((t) => (LAYERS[areaOf(t)] as number) > (LAYERS[areaOf(file)] as number))
        .map((t) => `${name(file)} → ${name(t)}`),
    );
    assert.deepEqual(upward, []);
  });

  test("nothing below a surface imports cli, viewer or serve; the viewer never imports the cli", () => {
    const offending = [...graph].flatMap(([file, targets]) => {
      const from = areaOf(file);
      return targets
        .filter(
          (t) =>
            SURFACES.includes(areaOf(t)) &&
            (!SURFACES.includes(from) || (from === "viewer" && areaOf(t) === "cli")),
        )
        .map((t) => `${name(file)} → ${name(t)}`);
    });
    assert.deepEqual(offending, []);
  });

  test("other folders import a folder through its index.ts", () => {
    // The CLI names the viewer's default port without loading the viewer (it is imported on use).
    const allowed = new Set(["src/cli/commands/view.ts → src/viewer/defaults.ts"]);
    const inside = [...graph].flatMap(([file, targets]) =>
      targets
        // Into another folder (root files such as errors.ts have no index), other than by its index.ts.
        .filter((t) => areaOf(t) !== areaOf(file) && relative(SRC, t).includes("/"))
        .filter((t) => relative(SRC, t) !== `${areaOf(t)}/index.ts`)
        .map((t) => `${name(file)} → ${name(t)}`)
        .filter((edge) => !allowed.has(edge)),
    );
    assert.deepEqual(inside, []);
  });

  test("the store owns all SQL: no other module uses the SQLite driver or writes a query", () => {
    const query = /\b(SELECT\s[\s\S]*?\sFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b/;
    const offending = [...graph.keys()]
      .filter((file) => areaOf(file) !== "store")
      .filter((file) => {
        const text = readFileSync(file, "utf8");
        return text.includes('from "better-sqlite3"') || query.test(text);
      })
      .map(name);
    assert.deepEqual(offending, []);
  });
});
