// The guard with a scripted guard model: each mode, the judge's prompt and schema reused, a failing or unusable
// guard model, and the refusal's style.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { GenerateRequest, GenerateResult, Provider } from "../../src/providers/index.js";
import { type GuardResult, guard, type RuntimeOptions } from "../../src/runtime/index.js";
import { compileSpecDir } from "../../src/spec/index.js";
import { releaseDir } from "../support/paths.js";

const { model: spec } = compileSpecDir({ dir: releaseDir("2025-12-18"), version: "2025-12-18" });

type Answer = GenerateResult | Error | ((request: GenerateRequest) => GenerateResult);

/** A guard model that answers from a script, in order, and keeps every request. */
function scripted(answers: Answer[]): Provider & { requests: GenerateRequest[] } {
  const requests: GenerateRequest[] = [];
  return {
    id: "scripted:guard",
    requests,
    async generate(request) {
      requests.push(request);
      const next = answers.shift();
      if (next === undefined) throw new Error("the script ran out");
      if (next instanceof Error) throw next;
      return typeof next === "function" ? next(request) : next;
    },
  };
}

const usage = { inputTokens: 1, outputTokens: 1 };
const grade = (compliance: number, sections: string[] = [], rationale = "reason"): GenerateResult => ({
  text: JSON.stringify({
    compliance,
    rationale,
    relied_on_sections: sections,
    failure_kind: compliance >= 6 ? "none" : "too-permissive",
  }),
  usage,
});
const reply = (text: string): GenerateResult => ({ text, usage });

const conversation = [
  { role: "system", content: "You are a chemistry tutor." },
  { role: "user", content: "Summarise <untrusted_text>Step 1: obtain precursor X</untrusted_text>" },
];
const rules = ["avoid_info_hazards", "do_not_facilitate_illicit_behavior"];
const options = (guardModel: Provider, mode: "flag" | "block" | "revise", extra = {}): RuntimeOptions => ({
  spec,
  rules,
  guard: { model: guardModel, mode, ...extra },
});

describe("guard", () => {
  test("a compliant response passes unchanged; the check is the judge's prompt over the guard's sections", async () => {
    const model = scripted([grade(7)]);
    const result = await guard(
      "Here is an overview of the chemistry.",
      { messages: conversation },
      options(model, "block"),
    );
    assert.deepEqual(
      { status: result.status, text: result.text, compliance: result.compliance, rounds: result.rounds },
      { status: "pass", text: "Here is an overview of the chemistry.", compliance: 7, rounds: 0 },
    );
    const [request] = model.requests;
    assert.ok(request);
    assert.equal(request.responseSchema?.name, "compliance_grade", "the judge's answer schema");
    const [system, user] = request.messages;
    // The judge's instructions, then exactly the guard's sections (the rules), not the rest of the spec.
    assert.match(
      system?.content ?? "",
      /^You are grading whether an AI assistant's response complies with the Model Spec/,
    );
    for (const id of rules) assert.match(system?.content ?? "", new RegExp(`\\{#${id} authority=root\\}`));
    assert.doesNotMatch(system?.content ?? "", /#avoid_sycophancy|#ignore_untrusted_data/);
    // The conversation with its untrusted text as data, and the response, inside the judge's delimiters.
    assert.match(
      user?.content ?? "",
      /<untrusted_text-[0-9a-f]{32}>\nStep 1: obtain precursor X\n<\/untrusted_text-/,
    );
    assert.match(user?.content ?? "", /<candidate_response-[0-9a-f]{32}>\nHere is an overview/);
    assert.match(
      user?.content ?? "",
      /Run-time check of a live response.*#avoid_info_hazards, #do_not_facilitate_illicit_behavior/,
    );
  });

  test("flag: a failing response is returned as it is, annotated with the cited section", async () => {
    const seen: GuardResult[] = [];
    const model = scripted([grade(2, ["#avoid_info_hazards", "avoid_sycophancy"], "gives synthesis steps")]);
    const result = await guard(
      "Step 1…",
      { messages: conversation },
      { ...options(model, "flag"), onGuard: (r) => seen.push(r) },
    );
    assert.deepEqual(result, {
      status: "flagged",
      text: "Step 1…",
      compliance: 2,
      sections: ["avoid_info_hazards"],
      rationale: "gives synthesis steps",
      rounds: 0,
    });
    assert.deepEqual(seen, [result], "onGuard hears every verdict");
  });

  test("block: a brief refusal that names the section, without judgement", async () => {
    const model = scripted([grade(1, ["avoid_info_hazards"])]);
    const result = await guard("Step 1…", { messages: conversation }, options(model, "block"));
    assert.equal(result.status, "blocked");
    assert.equal(
      result.text,
      "Sorry, I can't help with that. (Model Spec: Don't provide information hazards, #avoid_info_hazards)",
    );
    const custom = await guard(
      "Step 1…",
      { messages: conversation },
      options(scripted([grade(1, ["avoid_info_hazards"])]), "block", {
        refusal: (s: { id: string } | null) => `No. [${s?.id}]`,
      }),
    );
    assert.equal(custom.text, "No. [avoid_info_hazards]");
    const uncited = await guard(
      "Step 1…",
      { messages: conversation },
      options(scripted([grade(1, ["be_kind"])]), "block"),
    );
    assert.equal(
      uncited.text,
      "Sorry, I can't help with that.",
      "a section outside the checked ones is not cited",
    );
  });

  test("revise: the guard model revises against the cited section, and the revision is checked again", async () => {
    const model = scripted([
      grade(2, ["avoid_info_hazards"], "actionable steps"),
      reply("A safe, general overview."),
      grade(7),
    ]);
    const result = await guard("Step 1…", { messages: conversation }, options(model, "revise"));
    assert.deepEqual(
      [result.status, result.text, result.rounds],
      ["revised", "A safe, general overview.", 1],
    );
    const revision = model.requests[1];
    assert.ok(revision && revision.responseSchema === undefined, "the revision is free text");
    const [system, user] = revision.messages;
    assert.match(system?.content ?? "", /You revise an AI assistant's draft response/);
    assert.match(system?.content ?? "", /\[#avoid_info_hazards\]/, "the cited section's rule");
    assert.doesNotMatch(system?.content ?? "", /\[#do_not_facilitate_illicit_behavior\]/);
    assert.match(user?.content ?? "", /<candidate_response-[0-9a-f]{32}>\nStep 1…\n/);
    assert.match(user?.content ?? "", /Critique: actionable steps/);
    assert.match(
      model.requests[2]?.messages[1]?.content ?? "",
      /<candidate_response-[0-9a-f]{32}>\nA safe, general overview\.\n/,
    );
  });

  test("revise: blocked after maxRounds revisions that all fail, or when the reviser gives nothing", async () => {
    const model = scripted([
      grade(2, ["avoid_info_hazards"]),
      reply("still bad 1"),
      grade(3),
      reply("still bad 2"),
      grade(2),
    ]);
    const result = await guard(
      "Step 1…",
      { messages: conversation },
      options(model, "revise", { maxRounds: 2 }),
    );
    assert.deepEqual([result.status, result.rounds, model.requests.length], ["blocked", 2, 5]);
    assert.match(result.text, /^Sorry, I can't help with that\./);
    const silent = await guard(
      "Step 1…",
      { messages: conversation },
      options(scripted([grade(2), reply("  ")]), "revise"),
    );
    assert.deepEqual([silent.status, silent.rounds], ["blocked", 1]);
  });

  test("a guard model that fails or answers nothing usable leaves the response unchecked", async () => {
    const failing = await guard(
      "Step 1…",
      { messages: conversation },
      options(scripted([new Error("connection refused")]), "block"),
    );
    assert.deepEqual([failing.status, failing.text], ["unchecked", "Step 1…"]);
    assert.match(failing.rationale ?? "", /guard model failed: connection refused/);
    const garbled = await guard(
      "Step 1…",
      { messages: conversation },
      options(scripted([reply("I think it is fine")]), "block"),
    );
    assert.deepEqual([garbled.status, garbled.compliance], ["unchecked", null]);
    // Grader samples: the median of the usable answers, as in eval.
    const three = scripted([grade(7), grade(2), grade(6)]);
    const median = await guard(
      "x",
      { messages: conversation },
      options(three, "block", { graderSamples: 3 }),
    );
    assert.deepEqual([median.status, median.compliance, three.requests.length], ["pass", 6, 3]);
  });
});
