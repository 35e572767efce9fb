import { createHash } from "node:crypto";
import type { Diagnostic } from "./diagnostics.js";
import { type EvalPrompt, SPEC_MODEL_VERSION, type SpecModel } from "./model.js";
import { parseEvalPromptFile } from "./parse-eval-prompts.js";
import { parseSpecDocument } from "./parse-spec.js";

export interface SpecFiles {
  /** Text of model_spec.md. */
  spec: string;
  /** examples/<name>.md texts by file name. */
  examples: Record<string, string>;
  /** Paths used in diagnostics. */
  specPath: string;
  examplesDir: string;
  /** Release version when known (loaded by version). */
  version?: string | null;
}

export interface CompiledSpec {
  model: SpecModel;
  diagnostics: Diagnostic[];
}

export function sha256(text: string | Buffer): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * Compiles a spec's sources (texts, not files) into the typed model, with every problem found as a located
 * diagnostic. `compileSpecDir` reads a folder; `loadSpec` also refuses a spec with errors.
 *
 * @example
 * const { model, diagnostics } = compileSpec({
 *   spec: readFileSync("my-fork/model_spec.md", "utf8"),
 *   examples: {},
 *   specPath: "my-fork/model_spec.md",
 *   examplesDir: "my-fork/examples",
 * });
 */
export function compileSpec(files: SpecFiles): CompiledSpec {
  const document = parseSpecDocument(files.spec, files.specPath);
  const diagnostics = [...document.diagnostics];
  const sectionIds = new Set(document.sections.map((s) => s.id));
  const sectionByTitle = new Map(document.sections.map((s) => [s.title, s.id]));
  const footnoteById = new Map(document.footnotes.map((f) => [f.id, f]));

  for (const section of document.sections) {
    for (const ref of section.crossReferences) {
      if (!sectionIds.has(ref.id)) {
        diagnostics.push({
          severity: "error",
          code: "unresolved-reference",
          file: files.specPath,
          line: ref.line,
          message: `cross reference to unknown section '#${ref.id}'`,
        });
      }
    }
  }

  const evalPrompts: EvalPrompt[] = [];
  const names = Object.keys(files.examples).sort();
  for (const name of names) {
    const path = `${files.examplesDir}/${name}`;
    const parsed = parseEvalPromptFile(name, files.examples[name] ?? "", path);
    diagnostics.push(...parsed.diagnostics);
    const footnote = footnoteById.get(parsed.footnoteId);
    let sectionId = footnote?.sectionId ?? null;
    if (footnote) footnote.file = name;
    else {
      // Nobody cites this file; the header still names a section by title, which is how it stays linked.
      sectionId = parsed.headerTitle ? (sectionByTitle.get(parsed.headerTitle) ?? null) : null;
      diagnostics.push({
        severity: "warning",
        code: "uncited-eval-file",
        file: path,
        line: 1,
        message: `no section cites footnote [^${parsed.footnoteId}]${sectionId ? ` (header names '${sectionId}')` : ""}`,
      });
    }
    if (parsed.prompts.length === 0) {
      diagnostics.push({
        severity: "warning",
        code: "empty-eval-file",
        file: path,
        line: 1,
        message: "file holds no ```xml example",
      });
    }
    for (const prompt of parsed.prompts)
      evalPrompts.push({ ...prompt, sectionId, cited: footnote !== undefined });
  }

  for (const footnote of document.footnotes) {
    if (footnote.file === null) {
      diagnostics.push({
        severity: "warning",
        code: "footnote-without-file",
        file: files.specPath,
        line: footnote.line,
        message: `footnote [^${footnote.id}] has no examples/${footnote.id}.md`,
      });
    }
  }

  for (const example of document.examples) {
    const groups = new Set(example.responses.map((r) => r.comparison));
    for (const group of groups) {
      const responses = example.responses.filter((r) => r.comparison === group);
      if (!responses.some((r) => r.label === "GOOD")) {
        diagnostics.push({
          severity: "warning",
          code: "comparison-without-good",
          file: files.specPath,
          line: responses[0]?.line ?? example.line,
          message: `example '${example.title ?? example.id}' compares responses but none is GOOD`,
        });
      }
    }
    if (example.messages.length === 0 && example.responses.length > 0) {
      diagnostics.push({
        severity: "error",
        code: "malformed-conversation",
        file: files.specPath,
        line: example.line,
        message: "example has responses but no conversation before them",
      });
    }
  }

  const hashes = [
    `model_spec.md:${sha256(files.spec)}`,
    ...names.map((n) => `examples/${n}:${sha256(files.examples[n] ?? "")}`),
  ];
  const model: SpecModel = {
    modelVersion: SPEC_MODEL_VERSION,
    source: {
      version: files.version ?? null,
      sha256: sha256(files.spec),
      contentHash: sha256(hashes.join("\n")),
    },
    sections: document.sections,
    examples: document.examples,
    evalPrompts,
    footnotes: document.footnotes,
  };
  diagnostics.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  return { model, diagnostics };
}
