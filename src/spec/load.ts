import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { releaseCacheDir } from "./cache.js";
import { type CompiledSpec, compileSpec } from "./compile.js";
import { formatDiagnostic, SpecError } from "./diagnostics.js";
import type { SpecModel } from "./model.js";
import { findRelease, RELEASES, releaseBySpecHash } from "./releases.js";

export interface SpecLocation {
  dir: string;
  /** Set when the spec was named by release version. */
  version: string | null;
}

/**
 * Resolves `--spec <dir|version>`: an existing folder, or a release fetched into the cache.
 *
 * @example
 * resolveSpecLocation("2025-12-18"); // { dir: "~/.cache/modelspec/specs/2025-12-18", version: "2025-12-18" }
 */
function resolveSpecLocation(spec: string): SpecLocation {
  if (existsSync(spec) && statSync(spec).isDirectory()) return { dir: resolve(spec), version: null };
  const release = findRelease(spec);
  if (release) {
    const dir = releaseCacheDir(release.version);
    if (!existsSync(join(dir, "model_spec.md"))) {
      throw new SpecError(
        `--spec ${spec}: release ${spec} is not in the cache (${dir}); run \`modelspec spec fetch ${spec}\` first`,
      );
    }
    return { dir, version: release.version };
  }
  const known = RELEASES.map((r) => r.version).join(", ");
  throw new SpecError(`--spec ${spec}: no such folder, and not a known release (${known})`);
}

/**
 * Reads a spec folder (`model_spec.md` + `examples/*.md`), or a release in the cache, and compiles it, returning
 * every diagnostic rather than failing on errors.
 *
 * @example
 * const { model, diagnostics } = compileSpecDir("../shared/model-spec/2025-12-18");
 */
export function compileSpecDir(dirOrLocation: string | SpecLocation): CompiledSpec {
  const location = typeof dirOrLocation === "string" ? resolveSpecLocation(dirOrLocation) : dirOrLocation;
  const specPath = join(location.dir, "model_spec.md");
  if (!existsSync(specPath))
    throw new SpecError(`${specPath}: not found (a spec folder holds model_spec.md)`);
  let spec: string;
  try {
    spec = readFileSync(specPath, "utf8");
  } catch (error) {
    throw new SpecError(`${specPath}: cannot read (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
  const examplesDir = join(location.dir, "examples");
  const examples: Record<string, string> = {};
  if (existsSync(examplesDir)) {
    for (const name of readdirSync(examplesDir)) {
      if (name.endsWith(".md")) examples[name] = readFileSync(join(examplesDir, name), "utf8");
    }
  }
  const compiled = compileSpec({ spec, examples, specPath, examplesDir, version: location.version });
  if (compiled.model.source.version === null) {
    compiled.model.source.version = releaseBySpecHash(compiled.model.source.sha256)?.version ?? null;
  }
  return compiled;
}

/**
 * Loads a spec for use from a folder or a release version fetched into the cache: a `SpecError` with located
 * messages when it has errors (`lintSpec` lists them all).
 *
 * @example
 * const spec = loadSpec("2025-12-18");
 * console.log(spec.sections.length, spec.evalPrompts.length);
 */
export function loadSpec(spec: string): SpecModel {
  const { model, diagnostics } = compileSpecDir(spec);
  const errors = diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) {
    const shown = errors.slice(0, 5).map(formatDiagnostic).join("\n");
    const more = errors.length > 5 ? `\n… and ${errors.length - 5} more (run \`modelspec spec lint\`)` : "";
    throw new SpecError(`${errors.length} error(s) in spec ${spec}:\n${shown}${more}`, errors);
  }
  return model;
}
