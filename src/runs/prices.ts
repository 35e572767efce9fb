/**
 * The price table of cost estimates: approximate list prices in USD per million tokens, which a user overrides
 * or extends with a file (`--prices prices.yaml`, or the `prices` option). Local and replayed models cost
 * nothing; a model in neither gives null ("unknown price"), never a guess.
 */
import { readFileSync } from "node:fs";
import { isMap, isScalar, LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { UsageError } from "../errors.js";
import type { TokenTotals } from "../store/index.js";

/** USD per million tokens. */
const PriceSchema = z.strictObject({
  input: z.number({ error: "expected a number ≥ 0 (US dollars per million input tokens)" }).min(0),
  output: z.number({ error: "expected a number ≥ 0 (US dollars per million output tokens)" }).min(0),
});

/** `{ "openai:gpt-5": { input: 1.25, output: 10 } }`: prices by model name as runs record it. */
export const PriceTableSchema = z.record(
  z.string().regex(/^[^:\s]+:\S/, { error: "expected a model name such as openai:gpt-5" }),
  PriceSchema,
);
export type PriceTable = z.infer<typeof PriceTableSchema>;

const price = (input: number, output: number) => ({ input, output });

/** Built in: list prices when written (check your provider's page; override with a file). */
const BUILT_IN: PriceTable = {
  "openai:gpt-4.1": price(2, 8),
  "openai:gpt-4.1-mini": price(0.4, 1.6),
  "openai:gpt-4.1-nano": price(0.1, 0.4),
  "openai:gpt-4o": price(2.5, 10),
  "openai:gpt-4o-mini": price(0.15, 0.6),
  "openai:gpt-5": price(1.25, 10),
  "openai:gpt-5-mini": price(0.25, 2),
  "openai:gpt-5-nano": price(0.05, 0.4),
  "openai:o3": price(2, 8),
  "openai:o4-mini": price(1.1, 4.4),
  "anthropic:claude-sonnet-4-5": price(3, 15),
  "anthropic:claude-haiku-4-5": price(1, 5),
  "anthropic:claude-opus-4-1": price(15, 75),
};

/** The prices in force: the built-in table, with a file's or an object's entries over it. */
export interface Prices {
  table: PriceTable;
  /** `built-in`, or the file the overrides came from. */
  source: string;
}

/**
 * The prices for `prices`: a YAML or JSON file, a table, or nothing (the built-in list). A file that cannot be
 * read or holds a bad entry is a `UsageError` naming the file, the line and the key.
 */
export function pricesFrom(prices: string | PriceTable | undefined): Prices {
  if (prices === undefined) return { table: BUILT_IN, source: "built-in" };
  if (typeof prices !== "string") return { table: { ...BUILT_IN, ...prices }, source: "given" };
  return { table: { ...BUILT_IN, ...readPriceFile(prices) }, source: prices };
}

function readPriceFile(file: string): PriceTable {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(
      `--prices ${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? "error"})`,
    );
  }
  // YAML reads JSON too.
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const problem = doc.errors[0];
  if (problem) {
    const line = lines.linePos(problem.pos[0]).line;
    throw new UsageError(`${file}:${line}: not YAML or JSON (${problem.message.split("\n")[0]})`);
  }
  const parsed = PriceTableSchema.safeParse(doc.toJS() ?? {});
  if (parsed.success) return parsed.data;
  // A misspelt key says more than the value it leaves missing.
  const issue = parsed.error.issues.find((i) => i.code === "unrecognized_keys") ?? parsed.error.issues[0];
  const path = (issue?.path ?? []).map(String);
  const at = keyOffset(doc.contents, path);
  const line = at === undefined ? "" : `:${lines.linePos(at).line}`;
  const key = path.length > 0 ? `${path.join(".")}: ` : "";
  const message =
    issue?.code === "unrecognized_keys"
      ? `unknown key ${issue.keys.map((k) => `'${k}'`).join(", ")} (expected input and output)`
      : issue?.code === "invalid_key"
        ? "expected a model name such as openai:gpt-5"
        : issue?.code === "invalid_type" && path.length === 0
          ? "expected model names, each with input and output prices (USD per million tokens)"
          : (issue?.message ?? "invalid");
  throw new UsageError(`${file}${line}: ${key}${message}`);
}

/** Where the deepest key of a path that the document has starts, for the line of a message. */
function keyOffset(node: unknown, path: readonly string[]): number | undefined {
  let at: number | undefined;
  let current = node;
  for (const segment of path) {
    if (!isMap(current)) break;
    const pair = current.items.find((p) => isScalar(p.key) && String(p.key.value) === segment);
    if (!pair) break;
    at = isScalar(pair.key) ? pair.key.range?.[0] : at;
    current = pair.value;
  }
  return at;
}

/** The price of a model per million tokens; null when unknown. Local and replayed models cost nothing. */
export function priceOf(model: string, prices: Prices): { input: number; output: number } | null {
  const listed = prices.table[model];
  if (listed) return listed;
  if (model.startsWith("local:") || model.startsWith("replay:")) return { input: 0, output: 0 };
  return null;
}

/** Estimated cost in US dollars of these tokens on this model; null when its price is unknown. */
export function estimateCost(
  model: string,
  tokens: Pick<TokenTotals, "input" | "output">,
  prices: Prices = pricesFrom(undefined),
): number | null {
  const p = priceOf(model, prices);
  return p === null ? null : (tokens.input * p.input + tokens.output * p.output) / 1_000_000;
}
