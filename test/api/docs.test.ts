// The library's documentation is checked like code: every function and class of the public API (`modelspec` and
// `modelspec/runtime`) has a doc comment with an example and appears in an example of docs/api.md, and every TypeScript example of docs/api.md and the
// README type-checks and runs (against a loopback OpenAI-compatible server, in a scratch folder).
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import MarkdownIt from "markdown-it";
import ts from "typescript";
import { type FakeLlmServer, type FakeReply, startFakeLlmServer } from "../support/fake-llm-server.js";
import { ROOT, SHARED_SPECS } from "../support/paths.js";

interface Example {
  /** Where it is written, e.g. docs/api.md:42. */
  origin: string;
  code: string;
  file: string;
}

const work = mkdtempSync(join(tmpdir(), "modelspec-docs-"));
const blocksDir = join(work, "examples");
mkdirSync(blocksDir);
// The examples are ES modules (top-level await), as in a package of type module.
writeFileSync(join(blocksDir, "package.json"), '{ "type": "module" }\n');
// Examples import the packages an app has beside modelspec (openai, ai) as an app would.
symlinkSync(join(ROOT, "node_modules"), join(blocksDir, "node_modules"), "dir");

/** The package's entry points, as their sources. */
const ENTRIES = { modelspec: "src/index.ts", "modelspec/runtime": "src/runtime/index.ts" } as const;

function examplesOf(doc: string): Example[] {
  const tokens = new MarkdownIt("commonmark").parse(readFileSync(join(ROOT, doc), "utf8"), {});
  return tokens
    .filter((t) => t.type === "fence" && t.info.trim() === "ts")
    .map((t) => {
      const origin = `${doc}:${(t.map?.[0] ?? 0) + 1}`;
      const file = join(blocksDir, `${origin.replace(/[/:.]/g, "_")}.ts`);
      // The package is this checkout's source, and the releases are where they sit beside it.
      const code = t.content
        .replaceAll('from "modelspec"', `from ${JSON.stringify(join(ROOT, "src/index.js"))}`)
        .replaceAll('from "modelspec/runtime"', `from ${JSON.stringify(join(ROOT, "src/runtime/index.js"))}`)
        .replaceAll('"../shared/model-spec/', `"${SHARED_SPECS}/`);
      writeFileSync(file, code);
      return { origin, code: t.content, file };
    });
}

const apiExamples = examplesOf("docs/api.md");
const readmeExamples = examplesOf("README.md");
const examples = [...apiExamples, ...readmeExamples];

const compilerOptions = (() => {
  const config = ts.readConfigFile(join(ROOT, "tsconfig.json"), ts.sys.readFile).config;
  return { ...ts.parseJsonConfigFileContent(config, ts.sys, ROOT).options, noEmit: true, rootDir: "/" };
})();
const program = ts.createProgram(
  [...Object.values(ENTRIES).map((entry) => join(ROOT, entry)), ...examples.map((e) => e.file)],
  compilerOptions,
);

/** The functions and classes the entry points export, with their symbols. */
function publicFunctions(): { name: string; symbol: ts.Symbol }[] {
  const checker = program.getTypeChecker();
  return Object.values(ENTRIES).flatMap((entry) => {
    const source = program.getSourceFile(join(ROOT, entry));
    assert.ok(source);
    const moduleSymbol = checker.getSymbolAtLocation(source);
    assert.ok(moduleSymbol);
    return checker.getExportsOfModule(moduleSymbol).flatMap((exported) => {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      return symbol.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Class)
        ? [{ name: exported.name, symbol }]
        : [];
    });
  });
}

describe("the library's documentation", () => {
  let server: FakeLlmServer;
  before(async () => {
    // Candidates answer text; judges (structured output) answer a compliant grade.
    server = await startFakeLlmServer({
      script: (body, index): FakeReply =>
        (body as { response_format?: unknown }).response_format === undefined
          ? { text: `A careful answer (${index}).` }
          : { json: { compliance: 7, rationale: "fine", relied_on_sections: [], failure_kind: "none" } },
    });
  });
  after(async () => {
    await server.close();
    rmSync(work, { recursive: true, force: true });
  });

  test("every exported function and class has a doc comment with @example, and an example in docs/api.md", () => {
    const checker = program.getTypeChecker();
    const functions = publicFunctions();
    assert.ok(functions.length > 30, `only ${functions.length} functions and classes found`);
    const undocumented = functions
      .filter(
        ({ symbol }) =>
          symbol.getDocumentationComment(checker).length === 0 ||
          !symbol.getJsDocTags(checker).some((t) => t.name === "example"),
      )
      .map((f) => f.name);
    assert.deepEqual(undocumented, [], "doc comments without an @example");
    const used = apiExamples.map((e) => e.code).join("\n");
    const unshown = functions.filter((f) => !new RegExp(`\\b${f.name}\\b`).test(used)).map((f) => f.name);
    assert.deepEqual(unshown, [], "functions and classes no example in docs/api.md uses");
  });

  test("every example type-checks against the public API", () => {
    const problems = examples.flatMap((example) =>
      ts.getPreEmitDiagnostics(program, program.getSourceFile(example.file)).map((d) => {
        const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : 0;
        const [doc, start] = example.origin.split(":");
        return `${doc}:${Number(start) + 1 + line}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
      }),
    );
    assert.deepEqual(problems, []);
    assert.ok(readmeExamples.length >= 1, "the README shows the library");
  });

  test("every example runs, in order, against an OpenAI-compatible server", async () => {
    const saved = { ...process.env };
    const cwd = process.cwd();
    const log = console.log;
    const error = console.error;
    process.env.OPENAI_BASE_URL = `${server.url}/v1`;
    process.env.OPENAI_API_KEY = "sk-test-docs";
    process.env.MODELSPEC_CACHE_DIR = join(work, "cache");
    const scratch = join(work, "scratch");
    mkdirSync(scratch);
    process.chdir(scratch);
    const printed: string[] = [];
    console.log = (...args: unknown[]) => void printed.push(args.map(String).join(" "));
    console.error = console.log;
    try {
      for (const example of examples) {
        await import(pathToFileURL(example.file).href).catch((e: unknown) => {
          throw new Error(`${example.origin}: ${(e as Error).stack ?? e}`);
        });
      }
    } finally {
      console.log = log;
      console.error = error;
      process.chdir(cwd);
      process.env = saved;
    }
    const all = printed.join("\n");
    assert.ok(server.requests.length > 100, `the examples asked the server ${server.requests.length} times`);
    assert.match(all, /interrupted/, "the stop example stopped its run");
    assert.match(all, /true completed/, "and the same call resumed and completed it");
    assert.match(all, /ERR_DATABASE/);
  });
});
