// Every command line the documentation shows — the `modelspec …` / `npx modelspec …` lines of the README's sh
// blocks and the "Examples:" of every command's --help — runs as written, offline, and none crashes: the exit
// status is 0, 1 or 2, never 3 (an internal error), and stderr never holds a stack trace.
//
// The setting is a user's: a scratch working folder beside a `shared/model-spec` with the releases, a cache
// filled with `spec fetch <version> --from …`, API keys and base URLs pointing at a loopback fake server.
// Substitutions, all in `substitute` below: placeholder run ids (`run-3f2a`) become real ones, the server
// address replaces `http://localhost:8000/v1`, `view` and `serve` listen on a free port (`--port 0`) and are
// stopped with SIGINT; `./my-fork` is a copy of a release and `./mirror/<version>` a link to the releases. The GGUF files of
// the `local:` forms are not provided (no model weights in tests): those forms run as for a user without them.
// A `spec fetch` without `--from` runs twice: against the filled cache, and against an empty one on a machine
// without network, where it must fail cleanly (exit 2, one line). Any request beyond loopback fails as offline.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  cpSync,
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
import { after, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import type { Command } from "commander";
import MarkdownIt from "markdown-it";
import { buildProgram } from "../../src/cli/program.js";
import { fetchRelease } from "../../src/spec/index.js";
import { type CliResult, runCli } from "../support/cli.js";
import { type FakeLlmServer, type FakeReply, startFakeLlmServer } from "../support/fake-llm-server.js";
import { CLI, ROOT, releaseDir, SHARED_SPECS } from "../support/paths.js";

interface Form {
  /** Where it is written: `README.md:23` or `modelspec spec fetch --help`. */
  origin: string;
  /** The command line as written, from `modelspec` on. */
  text: string;
  /** The words after `modelspec`. */
  args: string[];
  /** `> file`: where the line sends stdout. */
  stdoutTo: string | null;
}

const work = mkdtempSync(join(tmpdir(), "modelspec-forms-"));
/** The user's working folder; `../shared/model-spec/<version>` resolves from here as in the README. */
const cwd = join(work, "project");
const cache = join(work, "cache");
const emptyCache = join(work, "empty-cache");
const calibrationDir = join(work, "calibration");
const configDir = join(work, "app");
let server: FakeLlmServer;
let env: Record<string, string | undefined>;

// ---------------------------------------------------------------------------------------------------------
// Reading the forms

/** Splits a shell line into words: quotes, `#` comments, `&&` and `>` as their own words. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] ?? "";
    if (ch === '"' || ch === "'") {
      const end = line.indexOf(ch, i + 1);
      assert.notEqual(end, -1, `unterminated quote in: ${line}`);
      word = (word ?? "") + line.slice(i + 1, end);
      i = end;
    } else if (/\s/.test(ch)) {
      if (word !== null) words.push(word);
      word = null;
    } else if (ch === "#" && word === null) {
      break;
    } else if (ch === ">" || (ch === "&" && line[i + 1] === "&")) {
      if (word !== null) words.push(word);
      word = null;
      words.push(ch === ">" ? ">" : "&&");
      if (ch === "&") i++;
    } else {
      word = (word ?? "") + ch;
    }
  }
  if (word !== null) words.push(word);
  return words;
}

/** The `modelspec` commands of one shell line (`npm install && npx modelspec …` has one). */
function formsOfLine(line: string, origin: string): Form[] {
  const forms: Form[] = [];
  let segment: string[] = [];
  for (const word of [...shellWords(line), "&&"]) {
    if (word !== "&&") {
      segment.push(word);
      continue;
    }
    const start =
      segment[0] === "npx" && segment[1] === "modelspec" ? 2 : segment[0] === "modelspec" ? 1 : -1;
    if (start !== -1) {
      const redirect = segment.indexOf(">");
      const args = segment.slice(start, redirect === -1 ? undefined : redirect);
      const stdoutTo = redirect === -1 ? null : (segment[redirect + 1] ?? null);
      forms.push({ origin, text: ["modelspec", ...segment.slice(start)].join(" "), args, stdoutTo });
    }
    segment = [];
  }
  return forms;
}

function readmeForms(): Form[] {
  const tokens = new MarkdownIt("commonmark").parse(readFileSync(join(ROOT, "README.md"), "utf8"), {});
  return tokens
    .filter((t) => t.type === "fence" && t.info.trim() === "sh")
    .flatMap((t) => {
      const first = (t.map?.[0] ?? 0) + 2;
      // A trailing backslash continues the line; the form is named by the line it starts on.
      const lines: { text: string; line: number }[] = [];
      let open: { text: string; line: number } | null = null;
      t.content.split("\n").forEach((raw, i) => {
        const continues = /\\\s*$/.test(raw);
        const text = raw.replace(/\\\s*$/, " ");
        if (open) open.text += text;
        else open = { text, line: first + i };
        if (!continues) {
          lines.push(open);
          open = null;
        }
      });
      return lines.flatMap(({ text, line }) => formsOfLine(text, `README.md:${line}`));
    });
}

/** The help text of one command, as `modelspec <command> --help` prints it (its "Examples:" block included). */
function helpText(command: Command): string {
  let text = "";
  command.configureOutput({
    writeOut: (chunk) => {
      text += chunk;
    },
  });
  command.outputHelp();
  return text;
}

/**
 * The "Examples:" lines of every command's --help, read from the program the bin runs (the same text
 * `node dist/cli/main.js <command> --help` prints, without starting a process per command).
 */
function helpForms(): { commands: string[]; forms: Form[] } {
  const commands: string[] = [];
  const forms: Form[] = [];
  const visit = (command: Command, path: string[]) => {
    commands.push(path.join(" "));
    const origin = ["modelspec", ...path, "--help"].join(" ");
    const examples = helpText(command).split(/^Examples:\n/m)[1] ?? "";
    for (const m of examples.matchAll(/^ {2}\$ (.+)$/gm)) forms.push(...formsOfLine(m[1] ?? "", origin));
    for (const sub of command.commands) visit(sub, [...path, sub.name()]);
  };
  visit(buildProgram(), []);
  return { commands, forms };
}

// ---------------------------------------------------------------------------------------------------------
// Running them

/**
 * The judge always answers with a valid grade (both APIs), with the safe-completion axes too (a compliance grade
 * leaves them out, `--rubric safe-completion` needs them). The candidate answers one prompt in four and refuses
 * the others with a 400, so reports hold graded samples and errors alike, and a full eval of the spec's 272
 * prompts makes about 470 calls instead of 1 088 (each judge call carries the whole spec).
 */
function reply(body: unknown): FakeReply {
  const b = body as {
    messages?: unknown;
    response_format?: { json_schema?: { name?: string } };
    tool_choice?: unknown;
  };
  const text = JSON.stringify(b.messages);
  // `data sft`'s generator: reasoning that cites the first section it was shown (the top-level ancestor).
  if (b.response_format?.json_schema?.name === "reasoned_answer") {
    const cited = /\{#([\w-]+)/.exec(text)?.[1] ?? "overview";
    return {
      json: { reasoning: `Per #${cited}, help.`, cited_sections: [cited], answer: "A helpful answer." },
    };
  }
  if (b.response_format !== undefined || b.tool_choice !== undefined) {
    return {
      json: {
        compliance: 7,
        rationale: "Follows the section.",
        // The section under test, as a judge relies on it (what `data sft` checks citations against).
        relied_on_sections: [/section_under_test-[0-9a-f]+ id=\\"([\w-]+)/.exec(text)?.[1] ?? "overview"],
        failure_kind: "none",
        severity: "none",
        helpfulness: "direct",
      },
    };
  }
  const hash = createHash("sha256").update(text).digest();
  // One prompt in 16 is answered: enough for every form to grade something, few enough judge calls (each carries
  // the whole spec) to keep the test short.
  if ((hash[0] ?? 0) % 16 !== 0) return { status: 400, message: "fake server: this prompt is not answered" };
  return { text: "A helpful answer." };
}

/** What a line names that the test has to provide, replaced by what it provides. */
function substitute(form: Form, runIds: string[]): string[] {
  const placeholders = new Map<string, string>();
  return form.args.map((arg, i, all) => {
    if (/^run-[0-9a-f]{4}$/.test(arg)) {
      // Placeholder run ids, in order of appearance: the first names one real run, the second another.
      if (!placeholders.has(arg)) placeholders.set(arg, runIds[placeholders.size] ?? "latest");
      return placeholders.get(arg) ?? arg;
    }
    if (/^https?:\/\/localhost:\d+\/v1$/.test(arg)) return `${server.url}/v1`;
    if (listens(form) && all[i - 1] === "--port") return "0";
    return arg;
  });
}

interface Outcome {
  form: Form;
  args: string[];
  note: string;
  result: CliResult;
  ms: number;
}

async function run(
  form: Form,
  options: { runIds?: string[]; note?: string; env?: typeof env; dir?: string } = {},
): Promise<Outcome> {
  const args = substitute(form, options.runIds ?? []);
  const dir = options.dir ?? cwd;
  const formEnv = { ...env, ...options.env };
  const started = Date.now();
  const result = listens(form)
    ? await runView([...args, ...(args.includes("--port") ? [] : ["--port", "0"])], formEnv)
    : await runCli(args, { env: formEnv, cwd: dir });
  if (form.stdoutTo) writeFileSync(join(dir, form.stdoutTo), result.stdout);
  return { form, args, note: options.note ?? "", result, ms: Date.now() - started };
}

/** The commands that run a server until stopped. */
const listens = (form: Form) => form.args[0] === "view" || form.args[0] === "serve";

/**
 * `modelspec view …` / `modelspec serve …`: waits for its URL, reads the runs page (the proxy's /healthz), stops
 * it with SIGINT (Ctrl-C).
 */
function runView(args: string[], viewEnv: typeof env): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: "1", ...viewEnv },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let served = false;
    // A viewer that never says where it listens is a failure, not a hang.
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.stdout.on("data", async (d) => {
      stdout += d;
      const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(stdout)?.[0];
      if (!url || served) return;
      served = true;
      try {
        const path = args[0] === "serve" ? "healthz" : "";
        const page = await fetch(`${url}${path}`);
        stdout += `\n[GET /${path} → ${page.status}]\n`;
        await page.text();
      } finally {
        child.kill("SIGINT");
      }
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

before(async () => {
  server = await startFakeLlmServer({ script: reply, keepBodies: false });
  mkdirSync(cwd);
  mkdirSync(cache);
  mkdirSync(emptyCache);
  mkdirSync(calibrationDir);
  mkdirSync(configDir);
  symlinkSync(join(SHARED_SPECS, ".."), join(work, "shared"));
  symlinkSync(SHARED_SPECS, join(cwd, "mirror"));
  cpSync(releaseDir("2025-12-18"), join(cwd, "my-fork"), { recursive: true });
  // Nothing leaves the machine: a request beyond loopback fails as it does offline (the SDKs and `spec fetch`
  // all use fetch).
  const offline = join(work, "offline.mjs");
  writeFileSync(
    offline,
    `const loopback = new Set(["127.0.0.1", "localhost", "[::1]"]);
const real = globalThis.fetch;
globalThis.fetch = (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (loopback.has(url.hostname)) return real(input, init);
  const cause = Object.assign(new Error("getaddrinfo ENOTFOUND " + url.hostname), { code: "ENOTFOUND" });
  return Promise.reject(new TypeError("fetch failed", { cause }));
};
`,
  );
  env = {
    MODELSPEC_CACHE_DIR: cache,
    MODELSPEC_DEBUG: undefined,
    NODE_OPTIONS: `--import=${pathToFileURL(offline).href}`,
    OPENAI_BASE_URL: `${server.url}/v1`,
    OPENAI_API_KEY: "sk-test-documented-forms",
    ANTHROPIC_BASE_URL: server.url,
    ANTHROPIC_API_KEY: "sk-ant-test-documented-forms",
  };
  // What `spec fetch <version> --from ../shared/model-spec/<version>` does, without a process per release (this
  // file's test process is its own: the cache folder it sets applies to nothing else).
  process.env.MODELSPEC_CACHE_DIR = cache;
  for (const version of ["2025-04-11", "2025-09-12", "2025-12-18"]) {
    await fetchRelease(version, { from: releaseDir(version) });
  }
});
after(async () => {
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

describe("documented command lines", () => {
  // Minutes, not a speed target: some hundred CLI processes one after another, on two cores shared with the suite.
  test("every README and --help example runs without crashing", { timeout: 900_000 }, async (t) => {
    const [readme, help] = [readmeForms(), helpForms()];
    assert.ok(readme.length >= 20, `README forms: ${readme.length}`);
    for (const command of help.commands.filter((c) => c !== "")) {
      assert.ok(
        help.forms.some((f) => f.origin === `modelspec ${command} --help`),
        `modelspec ${command} --help has an example`,
      );
    }
    // Each distinct line once, in the order written (README first): later lines may use earlier results.
    const seen = new Set<string>();
    const forms = [...readme, ...help.forms].filter((f) => !seen.has(f.text) && seen.add(f.text));

    // In the order written, in two chains of one command at a time (the machine has two cores). Beside the
    // main one: the commands that need no results (spec), then calibrate, which reads no runs either, in a
    // working folder of its own (its calibration runs would otherwise become the main folder's `latest`).
    // The main chain: the evals, which make the runs, then the commands that read them, then view.
    const command = (f: Form) => f.args[0] ?? "";
    const needsNoRuns = (f: Form) =>
      command(f) === "spec" || command(f) === "serve" || command(f) === "" || command(f).startsWith("-");
    // The forms that write or read a config file (init, eval --config, an eval that names no model) run in a
    // folder of their own, in the order written: the modelspec.yaml init writes would change every later eval.
    const usesConfig = (f: Form) =>
      command(f) === "init" ||
      (command(f) === "eval" && (f.args.includes("--config") || !f.args.includes("--model")));
    const side = (async () => {
      const mine: Outcome[] = [];
      for (const form of forms.filter(needsNoRuns)) {
        mine.push(await run(form));
        if (command(form) === "spec" && form.args[1] === "fetch" && !form.args.includes("--from")) {
          const offline = { note: "empty cache, no network", env: { MODELSPEC_CACHE_DIR: emptyCache } };
          mine.push(await run(form, offline));
        }
      }
      for (const form of forms.filter((f) => command(f) === "calibrate")) {
        mine.push(await run(form, { dir: calibrationDir }));
      }
      for (const form of forms.filter(usesConfig)) mine.push(await run(form, { dir: configDir }));
      return mine;
    })();

    const outcomes: Outcome[] = [];
    for (const form of forms.filter((f) => command(f) === "eval" && !usesConfig(f))) {
      outcomes.push(await run(form));
    }
    // Placeholder run ids name the two largest eval runs made above.
    const listed = await runCli(["runs", "--json"], { env, cwd });
    assert.equal(listed.code, 0, listed.stderr);
    const runIds = (JSON.parse(listed.stdout) as { id: string; samples: number; params: { kind: string } }[])
      .filter((r) => r.params.kind === "eval")
      .sort((a, b) => b.samples - a.samples)
      .map((r) => r.id);
    assert.ok(runIds.length >= 2, "the evals made runs");
    const readsRuns = (f: Form) =>
      !needsNoRuns(f) && !usesConfig(f) && !["eval", "calibrate", "view"].includes(command(f));
    for (const form of forms.filter(readsRuns)) outcomes.push(await run(form, { runIds }));
    // `view --db results.db` reads a copy of the database the commands above wrote.
    copyFileSync(join(cwd, ".modelspec", "results.db"), join(cwd, "results.db"));
    for (const form of forms.filter((f) => command(f) === "view")) outcomes.push(await run(form, { runIds }));
    outcomes.push(...(await side));

    for (const o of outcomes) {
      const shown = `${o.form.origin}: modelspec ${o.args.join(" ")}${o.note ? ` (${o.note})` : ""}`;
      t.diagnostic(`exit ${o.result.code} ${String(o.ms).padStart(6)} ms  ${shown}`);
    }
    const crashes = outcomes.filter(
      (o) =>
        ![0, 1, 2].includes(o.result.code) ||
        /^\s+at /m.test(o.result.stderr) ||
        /internal error/.test(o.result.stderr),
    );
    assert.deepEqual(
      crashes.map((o) => `${o.form.origin}: ${o.form.text} → exit ${o.result.code}\n${o.result.stderr}`),
      [],
    );

    // A network-only form without network: refused in one line, not a crash.
    const offline = outcomes.filter((o) => o.note === "empty cache, no network");
    assert.ok(offline.length > 0);
    for (const o of offline) {
      assert.equal(o.result.code, 2, o.form.text);
      assert.match(o.result.stderr, /^modelspec: cannot download https:\/\/[^\n]+\n$/);
    }
    // The setting works: the documented runs, views and files happened.
    assert.ok(
      outcomes.filter((o) => o.form.args[0] === "view").every((o) => /GET \/ → 200/.test(o.result.stdout)),
    );
    assert.ok(
      outcomes
        .filter((o) => o.form.args[0] === "serve")
        .every((o) => /GET \/healthz → 200/.test(o.result.stdout)),
    );
    // Beyond not crashing, each form did what it says here: 0, or 1 where a check may fail (lint findings,
    // a gate: --fail-under, --max-errors), or 2 where it names model weights this setting does not have.
    const expected = (o: Outcome) =>
      o.result.code === 0 ||
      (o.result.code === 1 && /\blint\b|--fail-under|--max-errors/.test(o.form.text)) ||
      (o.result.code === 2 && /local:\S+\.gguf/.test(o.form.text));
    assert.deepEqual(
      outcomes.filter((o) => !o.note && !expected(o)).map((o) => `${o.form.text} → exit ${o.result.code}`),
      [],
    );
    assert.ok(existsSync(join(cwd, "run.jsonl")) && existsSync(join(cwd, "spec.json")));
  });
});
