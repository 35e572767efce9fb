// Testing your assistant from the CLI: --system-prompt/--developer-prompt reach the candidate's request (system,
// developer, then the sample's own messages, as the OpenAI API takes them) and the judge's transcript, name a
// run of their own; modelspec.yaml (found in the working folder, or --config) sets the flags, a flag given on the
// command line overrides it; mistakes are refused in one line; `init` writes a starter and never overwrites.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { buildProgram } from "../../src/cli/program.js";
import { configJsonSchema } from "../../src/runs/index.js";
import { type CliResult, runCli } from "../support/cli.js";
import { type FakeLlmServer, type FakeReply, startFakeLlmServer } from "../support/fake-llm-server.js";
import { releaseDir } from "../support/paths.js";

const SPEC = releaseDir("2025-12-18");
const work = mkdtempSync(join(tmpdir(), "modelspec-app-testing-"));
let server: FakeLlmServer;

type Body = { model?: string; messages?: { role: string; content: string }[]; response_format?: unknown };
const isJudge = (body: unknown) => (body as Body).response_format !== undefined;
const script = (body: unknown): FakeReply =>
  isJudge(body)
    ? { json: { compliance: 7, rationale: "ok", relied_on_sections: [], failure_kind: "none" } }
    : { text: "Happy to help with your Acme account." };

before(async () => {
  server = await startFakeLlmServer({ script });
});
after(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

const env = () => ({ OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: "sk-test-app-testing" });

/** A folder of its own for a test: its config file, prompts, dataset and database. */
function folder(name: string): string {
  const dir = join(work, name);
  mkdirSync(join(dir, "prompts"), { recursive: true });
  writeFileSync(
    join(dir, "prompts", "system.md"),
    "You are the assistant of Acme Bank.\nOnly discuss Acme.\n",
  );
  const line = (id: string, input: unknown) =>
    JSON.stringify({ id, input, target: "A helpful answer.", metadata: { section_id: "be_creative" } });
  writeFileSync(
    join(dir, "dataset.jsonl"),
    `${[
      line("own-developer", [
        { role: "developer", content: "Sample developer rule." },
        { role: "user", content: "Hi!" },
      ]),
      line("user-only", "Write a haiku."),
      line("third", "Tell me a joke."),
    ].join("\n")}\n`,
  );
  return dir;
}

/** The requests the server got from `from` on, by role (candidate or judge). */
function requestsSince(from: number) {
  const bodies = server.requests.slice(from).map((r) => r.body as Body);
  return { candidate: bodies.filter((b) => !isJudge(b)), judge: bodies.filter(isJudge) };
}

/** Exactly one line, `modelspec: …`, matching `pattern`; exit 2; stdout empty. */
function assertRefused(r: CliResult, pattern: RegExp) {
  const lines = r.stderr.split("\n").filter((line) => line !== "");
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0] ?? "", /^modelspec: /);
  assert.match(lines[0] ?? "", pattern);
  assert.equal(r.stdout, "");
  assert.equal(r.code, 2);
}

const evalArgs = (...extra: string[]) => [
  "eval",
  "--spec",
  SPEC,
  "--dataset",
  "dataset.jsonl",
  "--grader-samples",
  "1",
  "--json",
  ...extra,
];

describe("your assistant under test, from the CLI", () => {
  test("--system-prompt (a file) and --developer-prompt (text) head every request, at their authority", async () => {
    const cwd = folder("flags");
    const from = server.requests.length;
    const r = await runCli(
      evalArgs(
        "--model",
        "openai:candidate",
        "--judge",
        "openai:judge",
        "--system-prompt",
        "prompts/system.md",
        "--developer-prompt",
        "Answer in one paragraph.",
      ),
      { env: env(), cwd },
    );
    assert.equal(r.code, 0, r.stderr);
    const { candidate, judge } = requestsSince(from);
    const conversations = candidate
      .map((b) => (b.messages ?? []).map((m) => `${m.role}: ${m.content}`))
      .sort((a, b) => b.length - a.length || a.join().localeCompare(b.join()));
    // An OpenAI-compatible server other than api.openai.com gets developer messages as system messages labelled
    // "Developer message:" (many reject the developer role; docs/providers.md), in the same order.
    const head = [
      "system: You are the assistant of Acme Bank.\nOnly discuss Acme.",
      "system: Developer message:\nAnswer in one paragraph.",
    ];
    assert.deepEqual(conversations, [
      [...head, "system: Developer message:\nSample developer rule.", "user: Hi!"],
      [...head, "user: Tell me a joke."],
      [...head, "user: Write a haiku."],
    ]);
    // The judge reads them in the conversation, each a message with its role (whose authority its
    // instructions give), inside the run's delimiters.
    assert.equal(judge.length, 3);
    for (const body of judge) {
      const prompt = body.messages?.at(-1)?.content ?? "";
      const token = /<conversation-([0-9a-f]+)>/.exec(prompt)?.[1];
      assert.ok(token, prompt);
      const system = prompt.indexOf(`<message-${token} role="system">\nYou are the assistant of Acme Bank.`);
      const developer = prompt.indexOf(`<message-${token} role="developer">\nAnswer in one paragraph.`);
      const user = prompt.indexOf(`<message-${token} role="user">`);
      assert.ok(prompt.indexOf(`<conversation-${token}>`) < system, "inside the conversation");
      assert.ok(system > 0 && system < developer && developer < user, prompt);
      assert.match(body.messages?.[0]?.content ?? "", /root > system > developer > user/);
    }
    // The prompts are stored with the run, for reports and the viewer.
    const runs = await runCli(["runs", "--json"], { env: env(), cwd });
    const [run] = JSON.parse(runs.stdout) as { params: { systemPrompt: string; developerPrompt: string } }[];
    assert.equal(run?.params.systemPrompt, "You are the assistant of Acme Bank.\nOnly discuss Acme.");
    assert.equal(run?.params.developerPrompt, "Answer in one paragraph.");
  });

  test("the prompts name a run of their own, the same one again, and change nothing without them", async () => {
    const cwd = folder("identity");
    const runId = async (...extra: string[]) => {
      const r = await runCli(evalArgs("--model", "openai:candidate", "--judge", "openai:judge", ...extra), {
        env: env(),
        cwd,
      });
      assert.equal(r.code, 0, r.stderr);
      return (JSON.parse(r.stdout) as { runId: string }).runId;
    };
    const plain = await runId();
    const withSystem = await runId("--system-prompt", "prompts/system.md");
    const asText = await runId("--system-prompt", "You are the assistant of Acme Bank.\nOnly discuss Acme.");
    const withDeveloper = await runId("--developer-prompt", "Answer in one paragraph.");
    assert.equal(new Set([plain, withSystem, withDeveloper]).size, 3);
    assert.equal(asText, withSystem, "a file's content and the same text are the same run");
    const from = server.requests.length;
    assert.equal(await runId("--system-prompt", "prompts/system.md"), withSystem);
    assert.equal(server.requests.length, from, "the same run again asks nothing");
  });

  test("a prompt file that does not exist is refused in one line, nothing written or sent", async () => {
    const cwd = folder("missing");
    const from = server.requests.length;
    for (const [flag, value] of [
      ["--system-prompt", "prompts/sytem.md"],
      ["--developer-prompt", "developer.txt"],
    ] as const) {
      const r = await runCli(evalArgs("--model", "openai:c", "--judge", "openai:j", flag, value), {
        env: env(),
        cwd,
      });
      assertRefused(r, new RegExp(`^modelspec: ${flag}: no such file '${value.replace(".", "\\.")}'$`));
    }
    assert.equal(server.requests.length, from);
    assert.equal(existsSync(join(cwd, ".modelspec")), false);
  });

  test("./modelspec.yaml sets the options; a flag on the command line overrides it", async () => {
    const cwd = folder("config");
    writeFileSync(
      join(cwd, "modelspec.yaml"),
      [
        "model: openai:from-file",
        "judge: openai:judge",
        "limit: 1",
        "system-prompt: prompts/system.md",
        "developer-prompt: Answer in one paragraph.",
      ].join("\n"),
    );
    let from = server.requests.length;
    const fromFile = await runCli(evalArgs(), { env: env(), cwd });
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.match(fromFile.stderr, /^modelspec: reading options from modelspec\.yaml$/m);
    assert.equal(JSON.parse(fromFile.stdout).samples, 1);
    let { candidate } = requestsSince(from);
    assert.deepEqual(
      candidate.map((b) => [b.model, b.messages?.map((m) => m.role)]),
      [["from-file", ["system", "system", "system", "user"]]],
    );

    from = server.requests.length;
    const overridden = await runCli(
      evalArgs("--model", "openai:from-flag", "--limit", "2", "--developer-prompt", "Be terse."),
      { env: env(), cwd },
    );
    assert.equal(overridden.code, 0, overridden.stderr);
    assert.equal(JSON.parse(overridden.stdout).samples, 2);
    ({ candidate } = requestsSince(from));
    assert.deepEqual(new Set(candidate.map((b) => b.model)), new Set(["from-flag"]));
    for (const body of candidate) {
      assert.equal(body.messages?.[0]?.content, "You are the assistant of Acme Bank.\nOnly discuss Acme.");
      assert.equal(body.messages?.[1]?.content, "Developer message:\nBe terse.");
    }

    // --config names another file; the working folder's is then not read.
    writeFileSync(join(cwd, "other.yaml"), "model: openai:other\njudge: openai:judge\nlimit: 1\n");
    from = server.requests.length;
    const other = await runCli(evalArgs("--config", "other.yaml"), { env: env(), cwd });
    assert.equal(other.code, 0, other.stderr);
    assert.doesNotMatch(other.stderr, /reading options/);
    ({ candidate } = requestsSince(from));
    assert.deepEqual(
      candidate.map((b) => [b.model, b.messages?.map((m) => m.role)]),
      [["other", ["system", "user"]]],
    );
  });

  test("a bad config file is refused in one line naming the file, the line and the key", async () => {
    const cwd = folder("bad-config");
    const cases: [string, RegExp][] = [
      [
        "model: openai:c\njudge: openai:j\n\nmodle: openai:x\n",
        /^modelspec: bad\.yaml:4: unknown key 'modle'$/,
      ],
      [
        "model: openai:c\njudge: openai:j\nfail-under: 1.5\n",
        /^modelspec: bad\.yaml:3: fail-under: expected a rate from 0 to 1 or a percentage such as "80%" \(got 1\.5\)$/,
      ],
      [
        "model: openai:c\njudge: openai:j\ngrader-samples: 40\n",
        /^modelspec: bad\.yaml:3: grader-samples: expected a whole number from 1 to 25 \(got 40\)$/,
      ],
      [
        "model: openai:c\njudge: openai:j\nsystem-prompt: prompts/nope.md\n",
        /^modelspec: bad\.yaml:3: system-prompt: no such file 'prompts\/nope\.md'$/,
      ],
      [
        "model: [openai:a, openai:a]\njudge: openai:j\n",
        /^modelspec: model 'openai:a' is given twice: each model is one run, name it once$/,
      ],
      ["judge: openai:j\n", /^modelspec: required option '--model <provider:model>' not specified/],
    ];
    const from = server.requests.length;
    for (const [text, pattern] of cases) {
      writeFileSync(join(cwd, "bad.yaml"), text);
      assertRefused(await runCli(evalArgs("--config", "bad.yaml"), { env: env(), cwd }), pattern);
    }
    assertRefused(
      await runCli(evalArgs("--config", "absent.yaml"), { env: env(), cwd }),
      /^modelspec: absent\.yaml: no such config file$/,
    );
    assert.equal(server.requests.length, from, "nothing sent");
    assert.equal(existsSync(join(cwd, ".modelspec")), false, "nothing written");
  });

  test("every config key is an eval flag, and every eval flag is a key but those of this one invocation", () => {
    const evalCommand = buildProgram().commands.find((c) => c.name() === "eval");
    assert.ok(evalCommand);
    const flags = evalCommand.options.map((o) => (o.long ?? "").replace(/^--(no-)?/, ""));
    const keys = Object.keys((configJsonSchema() as { properties: object }).properties);
    assert.deepEqual(
      keys.filter((k) => !flags.includes(k)),
      [],
    );
    // Output, its layout, a dry run and where the options come from belong to the command line.
    const cliOnly = ["config", "json", "progress", "format", "output", "sort", "all-sections", "dry-run"];
    assert.deepEqual(
      flags.filter((f) => !keys.includes(f) && !cliOnly.includes(f)),
      [],
    );
  });
});

describe("modelspec init", () => {
  test("writes a commented starter that eval reads; refuses to overwrite unless --force", async () => {
    const cwd = folder("init");
    const first = await runCli(["init"], { cwd });
    assert.equal(first.code, 0, first.stderr);
    const starter = readFileSync(join(cwd, "modelspec.yaml"), "utf8");
    assert.match(starter, /^# yaml-language-server: \$schema=\S+modelspec\.schema\.json\n/);
    assert.match(first.stdout, /Wrote modelspec\.yaml/);

    writeFileSync(join(cwd, "modelspec.yaml"), "model: openai:mine\n");
    assertRefused(
      await runCli(["init"], { cwd }),
      /^modelspec: modelspec\.yaml already exists \(--force to overwrite it\)$/,
    );
    assert.equal(readFileSync(join(cwd, "modelspec.yaml"), "utf8"), "model: openai:mine\n", "untouched");
    const forced = await runCli(["init", "--force"], { cwd });
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(readFileSync(join(cwd, "modelspec.yaml"), "utf8"), starter);

    // Another path, its folder made; eval reads the starter as written (its model and judge, 20 samples).
    const elsewhere = await runCli(["init", "ci/modelspec.yaml"], { cwd });
    assert.equal(elsewhere.code, 0, elsewhere.stderr);
    assert.match(elsewhere.stdout, /modelspec eval --config ci\/modelspec\.yaml/);
    const from = server.requests.length;
    const r = await runCli(
      [
        "eval",
        "--config",
        "ci/modelspec.yaml",
        "--spec",
        SPEC,
        "--limit",
        "1",
        "--grader-samples",
        "1",
        "--json",
      ],
      { env: env(), cwd },
    );
    assert.equal(r.code, 0, r.stderr);
    const { candidate, judge } = requestsSince(from);
    assert.deepEqual([candidate[0]?.model, judge[0]?.model], ["gpt-4.1-mini", "gpt-5"]);

    const help = await runCli(["init", "--help"]);
    assert.match(help.stdout, /Examples:\n {2}\$ modelspec init/);
  });
});
