// A results database made the way users make one: `modelspec eval` and `regrade` through the CLI against the
// loopback fake OpenAI server. The candidate's answers carry an XSS payload and the judge's rationales carry
// markup, so every page that shows them can be checked for escaping.
import { createHash } from "node:crypto";
import { join } from "node:path";
import { runCli } from "../support/cli.js";
import { type FakeReply, startFakeLlmServer } from "../support/fake-llm-server.js";
import { releaseDir } from "../support/paths.js";

export const SPEC = releaseDir("2025-12-18");
export const OLDER_SPEC = releaseDir("2025-09-12");
export const PAYLOAD_SCRIPT = "<script>window.__pwned=1</script>";
export const PAYLOAD_IMG = '<img src=x onerror="window.__pwned=1">';
export const RATIONALE_MARKUP = "<b>bold</b>";
/** In every long answer of run D: literal LIKE wildcards and non-ASCII capitals, for the search. */
const SEARCH_TOKEN = "ZEBRA_100% ÉLAN";
/**
 * Run D's long answer: blank lines first, then a URL no browser can break at a space, then prose. The sample
 * table used to show it as an empty cell, or as one line wider than the page.
 */
export const LONG_ANSWER = `\n\n${"   \n".repeat(80)}Certainly. First read https://example.com/${"a-very-long-path-segment/".repeat(12)}index.html and then ${"the answer goes on at some length, ".repeat(12)}${SEARCH_TOKEN} the end.`;
export const REFUSAL = "I can't help with that.";
/** Sections of run A: one per authority level (guideline, root, system, developer, user). */
const SECTIONS = [
  "be_creative",
  "ignore_untrusted_data",
  "no_erotica_or_gore",
  "avoid_regulated_advice",
  "be_curious",
];

export interface ViewerFixture {
  db: string;
  /** eval-prompts of SECTIONS, 2 grader samples; one candidate error, some ungraded. */
  runA: string;
  /** A regrade of run A by a stricter judge: paired with A on every sample A graded. */
  runB: string;
  /** The spec's examples of ignore_untrusted_data: conversations with untrusted parts and GOOD/BAD references. */
  runC: string;
  /**
   * Run A's samples answered by another model (openai:second-model): a refusal or a long answer
   * (`LONG_ANSWER`), graded by A's judge. Its verdicts differ from A's on some samples (flips).
   */
  runD: string;
}

type Body = { model?: string; messages?: { role: string; content: string }[]; response_format?: unknown };

const conversationHash = (prompt: string) => {
  // Delimiters carry the run's boundary token (`<conversation-TOKEN>`): hash the conversation without it.
  const match = /<conversation-([0-9a-f]+)>([\s\S]*?)<\/conversation-\1>/.exec(prompt);
  const conversation = match ? (match[2] ?? "").replaceAll(`-${match[1]}`, "") : prompt;
  return createHash("sha256").update(conversation).digest().readUInt32BE(0);
};

/** The same conversation always gets the same score from the same judge, whatever the order of calls. */
function script(strict: boolean) {
  return (body: unknown): FakeReply => {
    const b = body as Body;
    const prompt = b.messages?.at(-1)?.content ?? "";
    if (b.response_format === undefined) {
      if (prompt.includes("love poem for my partner"))
        return { status: 500, message: "candidate overloaded" };
      if (b.model === "second-model")
        return { text: conversationHash(prompt) % 2 === 0 ? REFUSAL : LONG_ANSWER };
      return { text: `Sure! ${PAYLOAD_SCRIPT} ${PAYLOAD_IMG} Here is my answer.` };
    }
    const h = conversationHash(prompt);
    if (!strict && h % 9 === 4) return { malformed: true };
    // The score is the conversation's, so a regrade's differ only by judge; a refusal (run D) is scored the other
    // way round, so runs A and D disagree on some samples in each direction.
    const refused = prompt.includes(REFUSAL);
    const compliance = strict ? (h % 2 === 0 ? 3 : 7) : (h % 3 === 0) !== refused ? 2 : 7;
    return {
      json: {
        compliance,
        rationale: `The response contains ${RATIONALE_MARKUP} & "quoted" markup; score ${compliance}.`,
        relied_on_sections: ["be_creative"],
        failure_kind: compliance >= 6 ? "none" : "too-permissive",
      },
    };
  };
}

export async function createViewerFixture(work: string): Promise<ViewerFixture> {
  const server = await startFakeLlmServer({ script: script(false) });
  const db = join(work, "results.db");
  const env = { OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: "sk-test-viewer" };
  const common = [
    "--judge",
    "openai:judge-model",
    "--db",
    db,
    "--max-attempts",
    "1",
    "--no-progress",
    "--json",
  ];
  const evaluate = async (args: string[]) => {
    const r = await runCli(args, { env });
    if (r.code !== 0) throw new Error(`modelspec ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
    return JSON.parse(r.stdout) as { runId: string };
  };
  try {
    const a = await evaluate([
      "eval",
      "--spec",
      SPEC,
      "--model",
      "openai:candidate-model",
      ...SECTIONS.flatMap((s) => ["--section", s]),
      "--grader-samples",
      "2",
      ...common,
    ]);
    server.setScript(script(true));
    const b = await evaluate([
      "regrade",
      a.runId,
      ...common.map((x) => (x === "openai:judge-model" ? "openai:strict-judge" : x)),
      "--grader-samples",
      "1",
    ]);
    server.setScript(script(false));
    const c = await evaluate([
      "eval",
      "--spec",
      SPEC,
      "--model",
      "openai:other-model",
      "--dataset",
      "examples",
      "--section",
      "ignore_untrusted_data",
      "--grader-samples",
      "1",
      ...common,
    ]);
    const d = await evaluate([
      "eval",
      "--spec",
      SPEC,
      "--model",
      "openai:second-model",
      ...SECTIONS.flatMap((s) => ["--section", s]),
      "--grader-samples",
      "1",
      ...common,
    ]);
    return { db, runA: a.runId, runB: b.runId, runC: c.runId, runD: d.runId };
  } finally {
    await server.close();
  }
}
