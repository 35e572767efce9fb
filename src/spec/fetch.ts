import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { releaseCacheDir } from "./cache.js";
import { sha256 } from "./compile.js";
import { SpecError } from "./diagnostics.js";
import { findRelease, RELEASES, type Release } from "./releases.js";

export interface FetchOptions {
  /** Base URL to download from instead of the official raw URL (a mirror), or a local release folder. */
  from?: string;
  /** Re-download even when the cache already holds a verified copy. */
  force?: boolean;
  onFile?: (path: string) => void;
}

export interface FetchResult {
  version: string;
  dir: string;
  files: number;
  cached: boolean;
}

/**
 * Downloads a release's model_spec.md and examples/*.md at the pinned commit, verifies every sha256 and
 * moves the complete set into the cache at once, so a failed download never leaves a partial release. `from`
 * copies from a local folder or a mirror instead (still verified).
 *
 * @example
 * const { dir, cached } = await fetchRelease("2025-12-18");
 * const spec = loadSpec("2025-12-18"); // from the cache from now on
 */
export async function fetchRelease(version: string, options: FetchOptions = {}): Promise<FetchResult> {
  const release = findRelease(version);
  if (!release) {
    throw new SpecError(`unknown release '${version}' (known: ${RELEASES.map((r) => r.version).join(", ")})`);
  }
  const dir = releaseCacheDir(version);
  const files = releaseFiles(release);
  if (!options.force && (await verifyDir(dir, files)))
    return { version, dir, files: files.length, cached: true };

  const staging = `${dir}.partial-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  try {
    const queue = [...files];
    let failure: unknown = null;
    const worker = async () => {
      // Stop taking files after the first failure; every worker settles before the staging folder goes.
      for (let file = queue.shift(); file && failure === null; file = queue.shift()) {
        try {
          const body = await download(release, file.path, options.from);
          const actual = sha256(body);
          if (actual !== file.sha256) {
            throw new SpecError(
              `${file.path}: sha256 mismatch (expected ${file.sha256}, got ${actual}); not cached`,
            );
          }
          const target = join(staging, file.path);
          await mkdir(dirname(target), { recursive: true });
          await writeFile(target, body);
          options.onFile?.(file.path);
        } catch (error) {
          failure ??= error;
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    if (failure !== null) throw failure;
    await rm(dir, { recursive: true, force: true });
    await mkdir(dirname(dir), { recursive: true });
    await rename(staging, dir);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return { version, dir, files: files.length, cached: false };
}

function releaseFiles(release: Release): { path: string; sha256: string }[] {
  return [
    { path: "model_spec.md", sha256: release.specSha256 },
    ...Object.entries(release.evalPromptFiles).map(([name, hash]) => ({
      path: `examples/${name}`,
      sha256: hash,
    })),
  ];
}

async function verifyDir(dir: string, files: { path: string; sha256: string }[]): Promise<boolean> {
  if (!existsSync(join(dir, "model_spec.md"))) return false;
  for (const file of files) {
    try {
      if (sha256(await readFile(join(dir, file.path))) !== file.sha256) return false;
    } catch {
      return false;
    }
  }
  return true;
}

async function download(release: Release, path: string, from: string | undefined): Promise<Buffer> {
  if (from && !/^https?:\/\//.test(from)) {
    try {
      return await readFile(join(from, path));
    } catch {
      throw new SpecError(`${join(from, path)}: cannot read`);
    }
  }
  const base = from ? from.replace(/\/?$/, "/") : release.rawBase;
  const remotePath = path === "model_spec.md" ? release.specPath : path;
  const url = new URL(remotePath, base);
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new SpecError(
      `cannot download ${url.origin}: ${reason} (no network? use --from <folder> for a local copy)`,
    );
  }
  if (!response.ok) throw new SpecError(`${url}: HTTP ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}
