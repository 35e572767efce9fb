import type { SectionTextChange, SpecDiff } from "../spec/index.js";
import { count, terminalText } from "./format.js";
import { type TerminalStyle, terminalStyle, wrapLine } from "./terminal-style.js";
import { wordDiffHunks } from "./word-diff-hunks.js";

export interface SpecDiffTextOptions {
  /** The word diffs of the changed sections (`diffSectionTexts`): shown as hunks, bounded. */
  textChanges?: SectionTextChange[];
  /** Only these sections' word diffs, each in full (up to a much higher bound). */
  sections?: string[];
  /** ANSI colours (else `[-deleted-]{+inserted+}` markers). Default false. */
  color?: boolean;
  /** Lines are wrapped to this many columns. Default 100. */
  width?: number;
}

/** How much of the word diffs is printed: a spec-wide overview, or one section asked for by id. */
const BOUNDS = {
  overview: { hunksPerSection: 4, hunks: 60, changeChars: 240 },
  section: { hunksPerSection: 400, hunks: 400, changeChars: 4000 },
};

/**
 * What changed between two specs, as `modelspec spec diff` prints it: sections added, removed, retitled, moved,
 * authority changes, examples and eval prompt files; with `textChanges`, the changed text word by word (a few
 * changes per section, or every change of the `sections` asked for).
 *
 * @example
 * const [a, b] = [loadSpec("2025-04-11"), loadSpec("2025-09-12")];
 * console.log(renderSpecDiff(diffSpecs(a, b), "2025-04-11", "2025-09-12", { textChanges: diffSectionTexts(a, b) }));
 */
export function renderSpecDiff(
  diff: SpecDiff,
  a: string,
  b: string,
  options: SpecDiffTextOptions = {},
): string {
  const out: string[] = [`Model Spec ${diff.from ?? a} → ${diff.to ?? b}`];
  const block = (title: string, lines: string[]) => {
    if (lines.length > 0) out.push("", `${title} (${lines.length})`, ...lines.map((l) => `  ${l}`));
  };
  const auth = (x: string | null) => x ?? "none";
  block(
    "Added sections",
    diff.added.map((s) => `+ ${s.id}  "${s.title}"${s.authority ? `  [${s.authority}]` : ""}`),
  );
  block(
    "Removed sections",
    diff.removed.map((s) => `- ${s.id}  "${s.title}"${s.authority ? `  [${s.authority}]` : ""}`),
  );
  block(
    "Retitled",
    diff.retitled.map((r) => `~ ${r.id}: "${r.from}" → "${r.to}"`),
  );
  block(
    "Authority changed",
    diff.authorityChanged.map((c) => `~ ${c.id}: ${auth(c.from)} → ${auth(c.to)}`),
  );
  block(
    "Moved",
    diff.moved.map((m) => `~ ${m.id}: under ${m.from ?? "(top)"} → under ${m.to ?? "(top)"}`),
  );
  block(
    "Examples",
    diff.examples.map((e) => `${e.sectionId}: +${e.added.length} -${e.removed.length} ~${e.changed.length}`),
  );
  block("Eval prompt files added", diff.evalPromptFiles.added);
  block("Eval prompt files removed", diff.evalPromptFiles.removed);
  if (options.textChanges) out.push(...textChangeLines(options.textChanges, options, a, b));
  out.push(
    "",
    `${diff.textChanged.length} section(s) with changed text; ${diff.evalPromptFiles.changed.length} eval prompt file(s) changed`,
  );
  return out.join("\n");
}

/** The word diffs, bounded: a few hunks per section and in all, long changes clipped; what is left out is said. */
function textChangeLines(
  changes: SectionTextChange[],
  options: SpecDiffTextOptions,
  a: string,
  b: string,
): string[] {
  const style = terminalStyle(options.color ?? false);
  const width = options.width ?? 100;
  const chosen = options.sections ? changes.filter((c) => options.sections?.includes(c.id)) : changes;
  const bound = options.sections ? BOUNDS.section : BOUNDS.overview;
  const legend = `${style.deleted("deleted")} ${style.inserted("inserted")}`;
  const out = ["", `Changed text (${chosen.length} section(s); ${legend})`];
  let shown = 0;
  let skipped = 0;
  for (const change of chosen) {
    const hunks = wordDiffHunks(change.parts);
    out.push(
      `  ${change.id}  "${terminalText(change.title)}"  +${count(change.wordsAdded)} −${count(change.wordsRemoved)} words${change.rewritten ? " (rewritten: too many changes for a word diff)" : ""}`,
    );
    if (hunks.length === 0) out.push("    (whitespace or line breaks only)");
    const room = Math.max(0, Math.min(bound.hunksPerSection, bound.hunks - shown));
    for (const hunk of hunks.slice(0, room)) {
      const text = hunk.parts.map((p) => partText(p.op, p.text, bound.changeChars, style)).join("");
      const line = `${hunk.cutBefore ? "… " : ""}${text.trim()}${hunk.cutAfter ? " …" : ""}`;
      out.push(...wrapLine(line, width - 4).map((l) => `    ${l}`));
    }
    shown += Math.min(room, hunks.length);
    if (hunks.length > room) {
      skipped += hunks.length - room;
      out.push(
        `    (${hunks.length - room} more change(s): modelspec spec diff ${a} ${b} --section ${change.id})`,
      );
    }
  }
  if (skipped > 0)
    out.push(`  ${count(skipped)} change(s) not shown; --section <id> shows one section's in full`);
  return out;
}

/** One run of a hunk on one line (whitespace flattened), styled by what happened to it; a long change clipped. */
function partText(op: "same" | "add" | "del", text: string, max: number, style: TerminalStyle): string {
  const flat = terminalText(text).replace(/\s+/g, " ");
  if (op === "same") return flat;
  const words = flat.trim();
  if (words === "") return flat;
  const clipped =
    [...words].length > max
      ? `${[...words].slice(0, max).join("")}… (${count([...words].length - max)} more characters)`
      : words;
  // The whitespace around a change stays outside its markers, so words keep their spaces.
  const lead = flat.startsWith(" ") ? " " : "";
  const trail = flat.endsWith(" ") ? " " : "";
  return `${lead}${op === "add" ? style.inserted(clipped) : style.deleted(clipped)}${trail}`;
}
