import data from "./releases.json" with { type: "json" };

/**
 * Published Model Spec releases: the pinned commit and the sha256 of every file, so a download can be verified.
 * Facts taken from the official repository's history (see ../shared/model-spec/manifest.json).
 */
export interface Release {
  version: string;
  commit: string;
  specPath: string;
  specSha256: string;
  rawBase: string;
  /** sha256 of each examples/<file>.md. */
  evalPromptFiles: Record<string, string>;
}

export const RELEASES: readonly Release[] = data.releases.map((r) => ({
  version: r.version,
  commit: r.commit,
  specPath: r.spec_path,
  specSha256: r.spec_sha256,
  rawBase: r.raw_base,
  evalPromptFiles: r.eval_prompt_files as Record<string, string>,
}));

export const LATEST_RELEASE = RELEASES.at(-1)?.version ?? "";

export function findRelease(version: string): Release | undefined {
  return RELEASES.find((r) => r.version === version);
}

/** The release whose model_spec.md has this hash, if any: recognises a release loaded from a folder. */
export function releaseBySpecHash(sha256: string): Release | undefined {
  return RELEASES.find((r) => r.specSha256 === sha256);
}
