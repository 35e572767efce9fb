import type { SpecDiff } from "../spec/index.js";

/**
 * What changed between two specs, as `modelspec spec diff` prints it: sections added, removed, retitled, moved,
 * authority changes, examples and eval prompt files.
 *
 * @example
 * console.log(renderSpecDiff(diffSpecs(loadSpec("2025-04-11"), loadSpec("2025-09-12")), "2025-04-11", "2025-09-12"));
 */
export function renderSpecDiff(diff: SpecDiff, a: string, b: string): string {
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
  out.push(
    "",
    `${diff.textChanged.length} section(s) with changed text; ${diff.evalPromptFiles.changed.length} eval prompt file(s) changed`,
  );
  return out.join("\n");
}
