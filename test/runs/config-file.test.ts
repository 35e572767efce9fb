// The config file in the library: readConfigFile turns modelspec.yaml into evaluate options and gates, refuses a
// mistake naming the file, the line and the key, and the JSON Schema shipped for editors is the one the same zod
// schema generates.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { readConfigFile, UsageError } from "../../src/index.js";
import { configJsonSchema, starterConfig } from "../../src/runs/index.js";
import { ROOT } from "../support/paths.js";

const work = mkdtempSync(join(tmpdir(), "modelspec-config-file-"));
after(() => rmSync(work, { recursive: true, force: true }));

let files = 0;
function file(text: string): string {
  const path = join(work, `config-${++files}.yaml`);
  writeFileSync(path, text);
  return path;
}

/** The one-line UsageError reading `text` gives, without the file's path. */
function refusal(text: string): string {
  const path = file(text);
  try {
    readConfigFile(path);
  } catch (error) {
    assert.ok(error instanceof UsageError, String(error));
    assert.ok(error.message.startsWith(`${path}:`), error.message);
    assert.doesNotMatch(error.message, /\n/);
    return error.message.slice(path.length);
  }
  assert.fail(`accepted:\n${text}`);
}

describe("readConfigFile", () => {
  test("keys are the eval flags' long names; values come back as the library's options and gates", () => {
    const config = readConfigFile(
      file(
        [
          "# a comment",
          "spec: 2025-12-18",
          "model: openai:gpt-4.1-mini",
          "judge: openai:gpt-5",
          "top: stay_in_bounds",
          "section: [be_creative, be_kind]",
          "limit: 20",
          "max-tokens: 512",
          "judge-context: section",
          "base-url: http://localhost:8000/v1",
          "system-prompt: You are the assistant of Acme Bank.",
          "fail-under: 80%",
          "max-errors: 3",
        ].join("\n"),
      ),
    );
    assert.deepEqual(config.models, ["openai:gpt-4.1-mini"]);
    assert.deepEqual(config.options, {
      spec: "2025-12-18",
      judge: "openai:gpt-5",
      top: ["stay_in_bounds"],
      section: ["be_creative", "be_kind"],
      limit: 20,
      maxTokens: 512,
      judgeContext: "section",
      baseUrl: "http://localhost:8000/v1",
      systemPrompt: "You are the assistant of Acme Bank.",
    });
    assert.deepEqual(config.gates, { failUnder: 0.8, maxErrors: { count: 3 } });
  });

  test("model may be a list; rates are 0-1 or percentages; an empty file sets nothing", () => {
    const config = readConfigFile(
      file("model:\n  - openai:a\n  - openai:b\nfail-under: 0.75\nmax-errors: 2%\n"),
    );
    assert.deepEqual(config.models, ["openai:a", "openai:b"]);
    assert.deepEqual(config.gates, { failUnder: 0.75, maxErrors: { rate: 0.02 } });
    assert.deepEqual(readConfigFile(file("max-errors: 0.05\n")).gates, { maxErrors: { rate: 0.05 } });
    assert.deepEqual(readConfigFile(file("# nothing yet\n")), {
      path: join(work, `config-${files}.yaml`),
      models: [],
      options: {},
      gates: {},
    });
  });

  test("system-prompt and developer-prompt name a file (its content) or are the text", () => {
    const prompts = join(work, "prompts");
    mkdirSync(prompts);
    writeFileSync(join(prompts, "system.md"), "You are Acme's assistant.\nNever give legal advice.\n");
    const config = readConfigFile(
      file(`system-prompt: ${join(prompts, "system.md")}\ndeveloper-prompt: Answer briefly.\n`),
    );
    assert.equal(config.options.systemPrompt, "You are Acme's assistant.\nNever give legal advice.");
    assert.equal(config.options.developerPrompt, "Answer briefly.");
    assert.equal(
      refusal(`model: openai:a\n\nsystem-prompt: ${join(prompts, "missing.md")}\n`),
      `:3: system-prompt: no such file '${join(prompts, "missing.md")}'`,
    );
    assert.equal(refusal(`developer-prompt: ${prompts}\n`).split(":")[1], "1");
  });

  test("a mistake names the line and the key", () => {
    assert.equal(
      refusal("spec: 2025-12-18\nmodel: openai:a\n\nmodle: openai:b\n"),
      ":4: unknown key 'modle'",
    );
    assert.equal(refusal("failUnder: 0.8\n"), ":1: unknown key 'failUnder' (did you mean 'fail-under'?)");
    assert.equal(refusal("max_tokens: 5\n"), ":1: unknown key 'max_tokens' (did you mean 'max-tokens'?)");
    assert.equal(
      refusal("model: openai:a\nlimit: 0\n"),
      ":2: limit: expected a whole number from 1 to 1,000,000,000 (got 0)",
    );
    assert.equal(
      refusal("model: openai:a\n\n\n\n\n\nfail-under: 2\n"),
      ':7: fail-under: expected a rate from 0 to 1 or a percentage such as "80%" (got 2)',
    );
    assert.equal(refusal("fail-under: 120%\n").slice(0, 15), ":1: fail-under:");
    assert.equal(refusal("temperature: hot\n"), ":1: temperature: expected a number from 0 to 2");
    assert.equal(refusal("judge-context: half\n"), ":1: judge-context: expected auto, full or section");
    assert.equal(refusal("section:\n  - a\n  - 3\n"), ":3: section: expected a name or a list of names");
    assert.equal(refusal("judge: 5\n"), ":1: judge: expected text (got 5)");
    // The first mistake as the file reads, whatever order the checks find them in.
    assert.equal(
      refusal("limit: 0\nmodle: x\n"),
      ":1: limit: expected a whole number from 1 to 1,000,000,000 (got 0)",
    );
    assert.equal(refusal("model: a\nmodel: b\n"), ":2: Map keys must be unique");
    assert.match(refusal("spec: [\n"), /^:\d+: /);
    assert.equal(refusal("- spec\n- model\n"), ":1: expected keys with values (key: value)");
    assert.throws(
      () => readConfigFile(join(work, "absent.yaml")),
      (e: unknown) =>
        e instanceof UsageError && e.message === `${join(work, "absent.yaml")}: no such config file`,
    );
  });

  test("values are never echoed but numbers: a base URL with credentials stays out of the message", () => {
    const message = refusal("base-url: [http://user:s3cret@example.com/v1]\n");
    assert.equal(message, ":1: base-url: expected text");
    assert.doesNotMatch(message, /s3cret/);
  });
});

describe("the config file's JSON Schema and starter", () => {
  test("schema/modelspec.schema.json is what the zod schema generates (npm run schema writes it)", () => {
    const committed = JSON.parse(readFileSync(join(ROOT, "schema", "modelspec.schema.json"), "utf8"));
    assert.deepEqual(committed, configJsonSchema(), "stale: run `npm run schema` and commit the file");
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    assert.ok(pkg.files.includes("schema"), "the schema is shipped in the package");
  });

  test("the schema refuses what readConfigFile refuses: unknown keys, out-of-range numbers", () => {
    const schema = configJsonSchema() as {
      additionalProperties: boolean;
      properties: Record<string, { minimum?: number; maximum?: number; type?: string }>;
    };
    assert.equal(schema.additionalProperties, false);
    assert.deepEqual(schema.properties.limit, {
      type: "integer",
      minimum: 1,
      maximum: 1_000_000_000,
      description: "at most n samples",
    });
    assert.ok(schema.properties["system-prompt"]);
  });

  test("the starter file reads as it is, and with every commented-out key written in", () => {
    const starter = starterConfig();
    assert.match(
      starter.split("\n")[0] ?? "",
      /^# yaml-language-server: \$schema=https:\/\/\S+\/schema\/modelspec\.schema\.json$/,
    );
    const config = readConfigFile(file(starter));
    assert.equal(config.models.length, 1);
    assert.ok(config.options.judge);
    // `# key: value` lines are keys a user may write in: each must be valid as written.
    const commented = starter
      .split("\n")
      .filter((line) => /^# [a-z-]+: /.test(line) && !line.startsWith("# yaml-language-server"));
    assert.ok(commented.length >= 8, `${commented.length} commented keys`);
    const cwd = process.cwd();
    const folder = mkdtempSync(join(work, "starter-"));
    mkdirSync(join(folder, "prompts"));
    writeFileSync(join(folder, "prompts", "system.md"), "You are helpful.\n");
    process.chdir(folder);
    try {
      const uncommented = starter
        .split("\n")
        .map((line) => (commented.includes(line) ? line.slice(2) : line))
        .join("\n");
      const all = readConfigFile(file(uncommented));
      assert.equal(all.options.systemPrompt, "You are helpful.");
      assert.ok(all.gates.failUnder !== undefined && all.gates.maxErrors !== undefined);
    } finally {
      process.chdir(cwd);
    }
  });
});
