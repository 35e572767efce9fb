/**
 * The options of the run-time chain of command (`prepare`, `guard` and the adapters), as one zod schema: the
 * spec, the platform rules placed first, how untrusted text is spotlighted, and the optional output guard.
 */
import { z } from "zod";
import { checkOptions } from "../checked-options.js";
import type { Provider } from "../providers/index.js";
import { LATEST_RELEASE, type Section, type SpecModel } from "../spec/index.js";
import type { GuardResult } from "./guard-result.js";

/** How untrusted text reaches the model: delimited, datamarked or base64-encoded inside a delimited block, or as is. */
export const SPOTLIGHT_MODES = ["delimit", "datamark", "base64", "off"] as const;
export type SpotlightMode = (typeof SPOTLIGHT_MODES)[number];

/** What the guard does with a response that fails its check (`off`: no check). */
export const GUARD_MODES = ["off", "flag", "block", "revise"] as const;
export type GuardMode = (typeof GUARD_MODES)[number];

// The same bounds as RANGES in src/runs/ranges.ts (guardRounds, threshold, graderSamples, judgeMaxTokens), which
// the CLI's flags use; the runtime cannot import src/runs, which loads the results store. A test checks they agree.
const whole = (min: number, max: number) => {
  const n = (x: number) => String(x).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const message = `expected a whole number from ${n(min)} to ${n(max)}`;
  return z
    .number({ error: message })
    .int({ error: message })
    .min(min, { error: message })
    .max(max, { error: message });
};

const isProvider = (value: unknown): value is Provider =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as Provider).id === "string" &&
  typeof (value as Provider).generate === "function";

const callback = <T extends (...args: never[]) => unknown>() =>
  z.custom<T>((value) => typeof value === "function", { message: "expected a function" });

const GuardOptionsSchema = z.strictObject({
  /** `flag` annotates a failing response, `block` replaces it with a refusal, `revise` rewrites it (then blocks). */
  mode: z.enum(GUARD_MODES).default("flag"),
  /** The guard model: a name such as `openai:gpt-4.1-mini`, or a Provider. */
  model: z.union([
    z.string().min(1),
    z.custom<Provider>(isProvider, { message: "expected <provider>:<model> or a Provider" }),
  ]),
  /** The guard model's server (OpenAI-compatible or Anthropic's), else OPENAI_BASE_URL / ANTHROPIC_BASE_URL. */
  baseUrl: z.string().optional(),
  /** Section ids or authority levels to check against; default: the rules placed first (or root and system). */
  sections: z.array(z.string().min(1)).optional(),
  /** `revise`: critique-and-revise rounds before the response is blocked. */
  maxRounds: whole(1, 5).default(2),
  /** A median compliance at or above this passes (1–7), as in `eval`. */
  threshold: whole(1, 7).default(6),
  /** Guard answers per check; the median counts. */
  graderSamples: whole(1, 25).default(1),
  maxTokens: whole(1, 1_000_000).default(1024),
  /** The refusal that replaces a blocked response; default a brief one that names the section. */
  refusal: callback<(section: Section | null) => string>().optional(),
});

const RuntimeOptionsSchema = z.strictObject({
  /** A spec folder, a release version fetched into the cache, or a compiled spec. */
  spec: z
    .union([
      z.string().min(1),
      z.custom<SpecModel>((v) => typeof v === "object" && v !== null && "sections" in v, {
        message: "expected a spec folder, a release version or a compiled spec",
      }),
    ])
    .default(LATEST_RELEASE),
  /**
   * The platform rules placed before everything else: `default` (the root and system sections), `none`, or a
   * list of section ids and authority levels (`root`, `system`, …; a section without an authority stands for
   * the sections below it that have one).
   */
  rules: z.union([z.enum(["default", "none"]), z.array(z.string().min(1))]).default("default"),
  spotlight: z.enum(SPOTLIGHT_MODES).default("delimit"),
  guard: GuardOptionsSchema.optional(),
  /** Called with every guard result: how a streamed response's verdict is told (it comes after the text). */
  onGuard: callback<(result: GuardResult) => void>().optional(),
});

/** The options of `prepare`, `guard`, `chainOfCommand` and `withChainOfCommand`. */
export type RuntimeOptions = z.input<typeof RuntimeOptionsSchema>;
export type ParsedRuntimeOptions = z.output<typeof RuntimeOptionsSchema>;

/** Options checked against their schema; a bad one is a `UsageError` naming it (`runtime option …`). */
export function parseRuntimeOptions(options: unknown): ParsedRuntimeOptions {
  return checkOptions(RuntimeOptionsSchema, options, "runtime option");
}
