/**
 * Options resolved once: the spec loaded, the rules chosen and rendered, the guard's sections chosen. Kept per
 * options object, so an app or the proxy that passes the same options to every request pays for this once.
 */
import { newBoundary } from "../judge/index.js";
import { createProvider, type Provider } from "../providers/index.js";
import { loadSpec, type Section, type SpecModel } from "../spec/index.js";
import { type ParsedRuntimeOptions, parseRuntimeOptions, type RuntimeOptions } from "./options.js";
import { renderRules, selectSections } from "./rules.js";

export interface ResolvedGuard {
  options: NonNullable<ParsedRuntimeOptions["guard"]>;
  /** The sections a response is checked against. */
  sections: Section[];
  /** The spec reduced to those sections: what the guard model reads (the judge's full-context prompt of it). */
  guardSpec: SpecModel;
  /** The judge boundary's token for this configuration: a fixed prompt prefix, so provider caching applies. */
  token: string;
  /** The guard model, created on first use. */
  provider(): Promise<Provider>;
}

export interface Resolved {
  options: ParsedRuntimeOptions;
  spec: SpecModel;
  /** The platform rules, highest authority first. */
  rules: Section[];
  /** Their compact text ("" for none). */
  rulesText: string;
  guard: ResolvedGuard | null;
}

const resolvedByOptions = new WeakMap<object, Resolved>();
const specsByName = new Map<string, SpecModel>();

/**
 * The options checked and resolved (a UsageError for a bad option or a rule naming no section), memoised per
 * options object.
 */
export function resolveRuntime(options: RuntimeOptions): Resolved {
  const known = resolvedByOptions.get(options);
  if (known) return known;
  const parsed = parseRuntimeOptions(options);
  let spec: SpecModel;
  if (typeof parsed.spec === "string") {
    spec = specsByName.get(parsed.spec) ?? loadSpec(parsed.spec);
    specsByName.set(parsed.spec, spec);
  } else {
    spec = parsed.spec;
  }
  const rules = selectSections(spec, parsed.rules);
  const resolved: Resolved = {
    options: parsed,
    spec,
    rules,
    rulesText: renderRules(spec, rules),
    guard: parsed.guard && parsed.guard.mode !== "off" ? resolveGuard(parsed.guard, spec, rules) : null,
  };
  resolvedByOptions.set(options, resolved);
  return resolved;
}

function resolveGuard(
  options: NonNullable<ParsedRuntimeOptions["guard"]>,
  spec: SpecModel,
  rules: Section[],
): ResolvedGuard {
  const sections = options.sections
    ? selectSections(spec, options.sections, "guard sections")
    : rules.length > 0
      ? rules
      : selectSections(spec, "default");
  const kept = new Set(sections);
  const guardSpec: SpecModel = {
    ...spec,
    sections: spec.sections.filter((s) => kept.has(s)),
    examples: [],
    evalPrompts: [],
    footnotes: [],
  };
  let provider: Promise<Provider> | undefined;
  const model = options.model;
  return {
    options,
    sections,
    guardSpec,
    token: newBoundary(),
    provider() {
      provider ??=
        typeof model === "string"
          ? createProvider(model, options.baseUrl ? { baseURL: options.baseUrl } : {})
          : Promise.resolve(model);
      return provider;
    },
  };
}
