import type { GuardMode, RuntimeOptions, SpotlightMode } from "./options.js";
import { resolveRuntime } from "./resolve.js";

/** What the runtime will apply with some options, once they are checked. */
export interface RuntimeSummary {
  /** The spec's release version, or the start of its hash for a fork. */
  spec: string;
  /** Ids of the platform rules placed first, highest authority first. */
  sections: string[];
  spotlight: SpotlightMode;
  guard: GuardMode;
  /** The guard model's id, when there is a guard. */
  guardModel: string | null;
  /** Ids of the sections the guard checks against. */
  guardSections: string[];
}

/**
 * Checks the options and says what they apply: the spec loaded, the rules chosen, the guard model created (so a
 * missing API key or an unknown section is found now, not on the first request).
 *
 * @throws UsageError for a bad option or a rule naming no section; ProviderError (kind `auth`) for a guard model
 * without its API key.
 * @example
 * const summary = await describeRuntime({ spec: "2025-12-18", rules: ["root"], spotlight: "datamark" });
 * console.log(summary.sections.length, summary.spotlight); // 22 datamark
 */
export async function describeRuntime(options: RuntimeOptions): Promise<RuntimeSummary> {
  const resolved = resolveRuntime(options);
  const provider = resolved.guard ? await resolved.guard.provider() : null;
  return {
    spec: resolved.spec.source.version ?? resolved.spec.source.sha256.slice(0, 12),
    sections: resolved.rules.map((s) => s.id),
    spotlight: resolved.options.spotlight,
    guard: resolved.guard?.options.mode ?? "off",
    guardModel: provider?.id ?? null,
    guardSections: resolved.guard?.sections.map((s) => s.id) ?? [],
  };
}
