/**
 * The chain of command: authority levels from highest to lowest. `none` is the level of assistant and tool
 * output and of untrusted or quoted text. Older spec releases wrote `platform` where later ones write `root`.
 */
export const AUTHORITY_LEVELS = ["root", "system", "developer", "user", "guideline", "none"] as const;
export type AuthorityLevel = (typeof AUTHORITY_LEVELS)[number];

/** Authority as a spec section may write it: the levels above plus the legacy `platform`. */
export const SECTION_AUTHORITIES = ["root", "system", "developer", "user", "guideline", "platform"] as const;
export type SectionAuthority = (typeof SECTION_AUTHORITIES)[number];

/** Maps an authority as written in any release to the current level (platform was renamed root). */
export function normalizeAuthority(authority: SectionAuthority): AuthorityLevel {
  return authority === "platform" ? "root" : authority;
}

/** Negative when `a` outranks `b`, zero when equal. */
export function compareAuthority(a: AuthorityLevel, b: AuthorityLevel): number {
  return AUTHORITY_LEVELS.indexOf(a) - AUTHORITY_LEVELS.indexOf(b);
}

export function isSectionAuthority(value: string): value is SectionAuthority {
  return (SECTION_AUTHORITIES as readonly string[]).includes(value);
}
