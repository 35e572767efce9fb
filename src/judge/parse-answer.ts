import { visit } from "jsonc-parser";
import type { GenerateResult } from "../providers/index.js";
import type { Rubric } from "./safe-completion.js";
import {
  type JudgeAnswer,
  JudgeAnswerSchema,
  type SafeCompletionAnswer,
  SafeCompletionAnswerSchema,
} from "./verdict-schema.js";

export type ParsedAnswer =
  | { status: "ok"; answer: JudgeAnswer | SafeCompletionAnswer }
  | { status: "unparseable"; reason: string }
  | { status: "refused"; reason: string };

/**
 * A model's text read as one JSON value: a markdown fence around it is allowed (models add one despite structured
 * output); text that is not JSON, or an object with a key twice, is not a value (why, in `reason`). JSON.parse
 * keeps the last of duplicate keys — {"compliance":1,…,"compliance":7} would read as 7 — and an answer that says
 * two things is unusable, not the later of them.
 *
 * @example
 * readModelJson('```json\n{"a": 1}\n```'); // { ok: true, value: { a: 1 } }
 */
export function readModelJson(text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  const trimmed = text.trim();
  const body = /^```(?:json)?\s*([\s\S]*?)\s*```$/.exec(trimmed)?.[1] ?? trimmed;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { ok: false, reason: `not JSON: ${JSON.stringify(trimmed.slice(0, 80))}` };
  }
  const duplicate = duplicateKey(body);
  if (duplicate !== null) return { ok: false, reason: `duplicate key ${JSON.stringify(duplicate)}` };
  return { ok: true, value };
}

/**
 * Reads one judge answer. Anything but a well-formed, in-range answer is `unparseable` or `refused`: it is
 * counted apart and never becomes a pass or a fail. In safe-completion mode an answer missing either axis (or with a
 * value outside it) is unparseable too.
 */
export function parseJudgeAnswer(
  result: Pick<GenerateResult, "text" | "refusal" | "finishReason">,
  rubric: Rubric = "compliance",
): ParsedAnswer {
  if (result.refusal) return { status: "refused", reason: result.refusal };
  if (result.finishReason === "content_filter" || result.finishReason === "refusal") {
    return { status: "refused", reason: `finish reason ${result.finishReason}` };
  }
  const json = readModelJson(result.text);
  if (!json.ok) return { status: "unparseable", reason: json.reason };
  const value = json.value;
  const parsed = (rubric === "safe-completion" ? SafeCompletionAnswerSchema : JudgeAnswerSchema).safeParse(
    value,
  );
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      status: "unparseable",
      reason: `${issue?.path.join(".") || "answer"}: ${issue?.message ?? "invalid"}`,
    };
  }
  return { status: "ok", answer: parsed.data };
}

/** The first key that appears twice in one object, at any depth (keys compared after unescaping), or null. */
function duplicateKey(json: string): string | null {
  const objects: Set<string>[] = [];
  let found: string | null = null;
  visit(
    json,
    {
      onObjectBegin: () => {
        objects.push(new Set());
      },
      onObjectEnd: () => {
        objects.pop();
      },
      onObjectProperty: (key) => {
        const keys = objects.at(-1);
        if (keys?.has(key)) found ??= key;
        keys?.add(key);
      },
    },
    { disallowComments: true },
  );
  return found;
}
