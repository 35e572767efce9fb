import { type Command, Option } from "commander";
import { UsageError } from "../../errors.js";
import type { Rubric } from "../../judge/index.js";
import { DEFAULTS } from "../../runs/index.js";
import { GUARD_MODES, type GuardMode, SPOTLIGHT_MODES, type SpotlightMode } from "../../runtime/index.js";
import { examples } from "../output.js";
import { collect, numberOption } from "../parse-options.js";
import { untilStopped } from "../until-stopped.js";
import { addJudgeOptions, addRubricOption, type JudgeFlags, judgeOptions } from "./judge-options.js";

/** The proxy's flags, and the judge flags for --grader (`--judge` is optional: the proxy has none). */
interface ServeFlags extends Omit<JudgeFlags, "json" | "progress" | "judge"> {
  judge?: string;
  grader?: boolean;
  rubric: Rubric;
  upstream?: string;
  host: string;
  port?: number;
  spec: string;
  rules: string[];
  spotlight: SpotlightMode;
  guard: GuardMode;
  guardModel?: string;
  guardBaseUrl?: string;
  guardRounds: number;
  upstreamKeyEnv?: string;
  logContent?: boolean;
}

/** `--rules a,b --rules c`: default (none given, or `default`), `none`, or the ids and levels listed. */
function rulesOf(values: string[]): "default" | "none" | string[] {
  const names = values
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v !== "");
  if (names.length === 0 || (names.length === 1 && names[0] === "default")) return "default";
  if (names.length === 1 && names[0] === "none") return "none";
  return names;
}

export function registerServeCommand(program: Command): void {
  const command = program
    .command("serve")
    .description(
      "Put the spec in force for any app: an OpenAI-compatible proxy that places the spec's platform rules first, spotlights untrusted text and can guard answers; or, with --grader, a grading endpoint for RL rewards",
    )
    .option("--upstream <url>", "the OpenAI-compatible server to forward to, with its /v1 (the proxy)")
    .option(
      "--grader",
      "serve grades instead: POST /v1/grade scores a response against the spec with --judge (see docs/training-data.md)",
    )
    .option("--host <host>", "address to listen on (127.0.0.1: this machine only)", "127.0.0.1")
    .addOption(
      numberOption("--port <n>", "port (0 picks a free one; default 8787, 8788 with --grader)", "port"),
    )
    .addOption(new Option("--spec <dir|version>", "spec folder or fetched release").default(DEFAULTS.spec))
    .addOption(
      new Option(
        "--rules <list>",
        "platform rules placed first: default (the root and system sections), none, or section ids and authority levels, comma-separated (repeatable)",
      )
        .argParser(collect)
        .default([], "default"),
    )
    .addOption(
      new Option("--spotlight <mode>", "how untrusted text (tool results, <untrusted_text> blocks) is marked")
        .choices(SPOTLIGHT_MODES)
        .default("delimit"),
    )
    .addOption(
      new Option("--guard <mode>", "check answers with a guard model: flag, block or revise a failing one")
        .choices(GUARD_MODES)
        .default("off"),
    )
    .option(
      "--guard-model <provider:model>",
      "the guard model (required with --guard), e.g. openai:gpt-4.1-mini",
    )
    .option("--guard-base-url <url>", "the guard model's server (else OPENAI_BASE_URL / ANTHROPIC_BASE_URL)")
    .addOption(
      numberOption(
        "--guard-rounds <n>",
        "revise: critique-and-revise rounds before blocking",
        "guardRounds",
        2,
      ),
    )
    .option(
      "--upstream-key-env <name>",
      "send the key in this environment variable upstream (default: the client's Authorization header, unchanged)",
    )
    .option("--log-content", "log message and answer text too (never by default)")
    .addHelpText(
      "after",
      examples(
        "modelspec serve --upstream http://localhost:8000/v1",
        "modelspec serve --upstream http://localhost:8000/v1 --spec 2025-12-18 --rules root,system --spotlight datamark",
        "modelspec serve --upstream http://localhost:8000/v1 --guard flag --guard-model openai:gpt-4.1-mini --port 8787",
        "modelspec serve --upstream http://localhost:8000/v1 --upstream-key-env OPENAI_API_KEY --log-content",
        "modelspec serve --grader --judge openai:gpt-5 --spec 2025-12-18",
        "modelspec serve --grader --judge openai:gpt-5 --grader-samples 3 --judge-concurrency 16 --port 8788",
        "modelspec serve --grader --judge openai:gpt-5 --rubric safe-completion",
      ),
    );
  // The judge flags eval takes, for --grader (parsed and checked as eval's).
  addRubricOption(addJudgeOptions(command, false, false)).action(async (opts: ServeFlags) => {
    if (opts.grader) return serveGrader(opts);
    if (opts.judge !== undefined) throw new UsageError("--judge grades with --grader: add --grader");
    if (opts.rubric !== "compliance") throw new UsageError("--rubric grades with --grader: add --grader");
    if (opts.upstream === undefined) {
      throw new UsageError("serve needs --upstream <url> (the proxy) or --grader (the grading endpoint)");
    }
    const upstream = opts.upstream;
    if (opts.guard !== "off" && opts.guardModel === undefined) {
      throw new UsageError(`--guard ${opts.guard} needs --guard-model <provider:model>`);
    }
    // Loaded on use: the proxy costs every other command nothing.
    const { startProxy } = await import("../../serve/index.js");
    const proxy = await startProxy({
      upstream,
      host: opts.host,
      port: opts.port ?? 8787,
      upstreamKeyEnv: opts.upstreamKeyEnv,
      logContent: opts.logContent ?? false,
      runtime: {
        spec: opts.spec,
        rules: rulesOf(opts.rules),
        spotlight: opts.spotlight,
        ...(opts.guard !== "off" && opts.guardModel !== undefined
          ? {
              guard: {
                mode: opts.guard,
                model: opts.guardModel,
                baseUrl: opts.guardBaseUrl,
                maxRounds: opts.guardRounds,
              },
            }
          : {}),
      },
    });
    const s = proxy.summary;
    const guard = s.guard === "off" ? "guard off" : `guard ${s.guard} by ${s.guardModel}`;
    process.stdout.write(
      `modelspec serve: ${proxy.url} → ${proxy.upstream}  (spec ${s.spec}; ${s.sections.length} rule sections; spotlight ${s.spotlight}; ${guard}; Ctrl-C to stop)\n`,
    );
    if (opts.host !== "127.0.0.1" && opts.host !== "localhost" && opts.host !== "::1") {
      process.stderr.write(
        `modelspec: warning: listening on ${opts.host}: anyone who can reach it can use the upstream through it\n`,
      );
    }
    await untilStopped();
    await proxy.close();
    process.stdout.write("modelspec serve: stopped\n");
  });
}

/** `serve --grader`: the grading endpoint, until Ctrl-C. */
async function serveGrader(opts: ServeFlags): Promise<void> {
  const judge = opts.judge;
  if (judge === undefined) throw new UsageError("--grader needs --judge <provider:model>");
  if (opts.upstream !== undefined || opts.guard !== "off") {
    throw new UsageError("--grader serves grades, not the proxy: leave out --upstream and --guard");
  }
  const { prices: _prices, label: _label, ...judging } = judgeOptions({ ...opts, judge });
  const { startGraderServer } = await import("../../serve/index.js");
  const grader = await startGraderServer({
    grader: { spec: opts.spec, ...judging, rubric: opts.rubric },
    host: opts.host,
    port: opts.port ?? 8788,
  });
  process.stdout.write(
    `modelspec serve --grader: POST ${grader.url}v1/grade  (judge ${grader.judge}; spec ${grader.spec}; Ctrl-C to stop)\n`,
  );
  if (opts.host !== "127.0.0.1" && opts.host !== "localhost" && opts.host !== "::1") {
    process.stderr.write(
      `modelspec: warning: listening on ${opts.host}: anyone who can reach it can spend your judge's budget\n`,
    );
  }
  await untilStopped();
  await grader.close();
  process.stdout.write("modelspec serve --grader: stopped\n");
}
