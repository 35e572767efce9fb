import { type Command, Option } from "commander";
import { AUTHORITY_LEVELS } from "../../conversation/index.js";
import { evalPromptSamples, toJsonlRecord } from "../../dataset/index.js";
import { UsageError } from "../../errors.js";
import { excerpt, renderSection, renderSpecDiff, renderTable, terminalText } from "../../report/index.js";
import {
  diffSectionTexts,
  diffSpecs,
  evalPromptsOf,
  examplesOf,
  fetchRelease,
  filterSections,
  findSection,
  formatDiagnostic,
  LATEST_RELEASE,
  lintSpec,
  loadSpec,
  RELEASES,
  type SpecModel,
  searchSpec,
} from "../../spec/index.js";
import { examples, printJson, printJsonLines, terminal } from "../output.js";
import { collect, numberOption } from "../parse-options.js";

const specOption = () =>
  new Option("--spec <dir|version>", "spec folder (model_spec.md + examples/) or a fetched release").default(
    LATEST_RELEASE,
  );

export function registerSpecCommands(program: Command): void {
  const spec = program
    .command("spec")
    .description("Read, query, lint and compare Model Spec releases and forks")
    .addHelpText(
      "after",
      examples("modelspec spec fetch 2025-12-18", "modelspec spec list --authority root"),
    );

  spec
    .command("fetch")
    .description("Download a published release at its pinned commit, verify every sha256, and cache it")
    .argument("<version>", `release version (${RELEASES.map((r) => r.version).join(", ")})`)
    .option("--from <url|dir>", "download from a mirror URL or copy from a local folder (still verified)")
    .option("--force", "download again even when a verified copy is cached")
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      examples(
        "modelspec spec fetch 2025-12-18",
        "modelspec spec fetch 2025-09-12 --from ./mirror/2025-09-12",
      ),
    )
    .action(async (version: string, opts: { from?: string; force?: boolean; json?: boolean }) => {
      const result = await fetchRelease(version, { from: opts.from, force: opts.force });
      if (opts.json) printJson(result);
      else {
        const how = result.cached
          ? "already cached and verified"
          : `fetched and verified ${result.files} files`;
        console.log(`${result.version}: ${how} → ${result.dir}`);
      }
    });

  spec
    .command("list")
    .description("List sections with their authority, examples and eval prompts")
    .addOption(specOption())
    .addOption(
      new Option("--authority <level>", "only sections at this authority").choices(
        AUTHORITY_LEVELS.slice(0, 5),
      ),
    )
    .option("--tag <tag>", "only sections with this tag")
    .option("--top <id>", "only this top-level section and what is below it")
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      examples(
        "modelspec spec list --authority root",
        "modelspec spec list --spec ./my-fork --top stay_in_bounds --json",
      ),
    )
    .action((opts: { spec: string; authority?: string; tag?: string; top?: string; json?: boolean }) => {
      const model = loadSpec(opts.spec);
      if (opts.top && !findSection(model, opts.top))
        throw new UsageError(`--top ${opts.top}: no such section`);
      const sections = filterSections(model, {
        authority: opts.authority,
        tag: opts.tag,
        topLevel: opts.top,
      });
      const rows = sections.map((s) => ({
        id: s.id,
        title: s.title,
        level: s.level,
        authority: s.authority,
        authoritiesBelow: s.authoritiesBelow,
        tags: s.tags,
        parentId: s.parentId,
        examples: examplesOf(model, s.id).length,
        evalPrompts: evalPromptsOf(model, s.id).length,
      }));
      if (opts.json) return printJson(rows);
      console.log(
        renderTable(
          ["id", "title", "authority", "examples", "evals"],
          rows.map((r) => [
            `${"  ".repeat(r.level - 1)}${r.id}`,
            r.title,
            r.authority ?? (r.authoritiesBelow.length ? `(${r.authoritiesBelow.join(", ")})` : ""),
            r.examples,
            r.evalPrompts,
          ]),
        ),
      );
      console.log(`${rows.length} of ${model.sections.length} sections (${specLabel(model, opts.spec)})`);
    });

  spec
    .command("show")
    .description(
      "Show one section: authority, its text rendered for the terminal (links and footnotes resolved), examples and eval prompts",
    )
    .argument("<id>", "section id, e.g. ignore_untrusted_data")
    .addOption(specOption())
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      examples("modelspec spec show ignore_untrusted_data", "modelspec spec show avoid_sycophancy --json"),
    )
    .action((id: string, opts: { spec: string; json?: boolean }) => {
      const model = loadSpec(opts.spec);
      const section = findSection(model, id);
      if (!section)
        throw new UsageError(
          `no section '${id}' in ${specLabel(model, opts.spec)} (see \`modelspec spec list\`)`,
        );
      if (opts.json) {
        return printJson({ section, examples: examplesOf(model, id), evalPrompts: evalPromptsOf(model, id) });
      }
      console.log(renderSection(model, id, terminal()));
    });

  spec
    .command("search")
    .description(
      "Search sections, examples and eval prompts, best matches first (titles count most; prefixes and typos match)",
    )
    .argument("<query>", "words to look for (case-insensitive)")
    .addOption(specOption())
    .addOption(numberOption("--limit <n>", "at most n matches", "limit", 20))
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      examples(
        'modelspec spec search "prompt injection"',
        "modelspec spec search sycophancy --limit 5 --json",
      ),
    )
    .action((query: string, opts: { spec: string; limit: number; json?: boolean }) => {
      const model = loadSpec(opts.spec);
      const hits = searchSpec(model, query, { limit: opts.limit });
      if (opts.json) return printJson(hits);
      const { width } = terminal();
      hits.forEach((h, i) => {
        const where = h.kind === "section" ? "" : ` in ${h.sectionId ?? "(no section)"}`;
        console.log(
          `${String(i + 1).padStart(2)}. ${h.id}  "${terminalText(h.title)}"  ${h.kind}${where}${h.authority ? `  [${h.authority}]` : ""}`,
        );
        console.log(`    ${excerpt(terminalText(h.excerpt), width - 4)}`);
      });
      console.log(
        hits.length === 0 ? `no match for "${terminalText(query)}"` : `${hits.length} best match(es)`,
      );
    });

  spec
    .command("export")
    .description("Print the compiled spec model: sections, examples, eval prompts, footnotes")
    .addOption(specOption())
    .option("--json", "print the whole model as one JSON document (default)")
    .addOption(
      new Option(
        "--jsonl <kind>",
        "stream one JSON object per line (eval-prompts: a dataset for eval --dataset)",
      ).choices(["examples", "eval-prompts", "sections"]),
    )
    .addHelpText(
      "after",
      examples(
        "modelspec spec export --spec 2025-12-18 --json > spec.json",
        "modelspec spec export --jsonl eval-prompts",
      ),
    )
    .action((opts: { spec: string; jsonl?: string }) => {
      const model = loadSpec(opts.spec);
      if (opts.jsonl === "examples") return printJsonLines(model.examples);
      // The dataset shape `eval --dataset <file>` reads, with the ids of `--dataset eval-prompts`.
      if (opts.jsonl === "eval-prompts") return printJsonLines(evalPromptSamples(model).map(toJsonlRecord));
      if (opts.jsonl === "sections") return printJsonLines(model.sections);
      printJson(model);
    });

  spec
    .command("lint")
    .description("Check a spec folder (e.g. a fork) for problems; exits 1 when there are errors")
    .argument("[dir]", "spec folder or release", LATEST_RELEASE)
    .option("--json", "print findings as JSON")
    .addHelpText("after", examples("modelspec spec lint ./my-fork", "modelspec spec lint ./my-fork --json"))
    .action((dir: string, opts: { json?: boolean }) => {
      const result = lintSpec(dir);
      if (opts.json) printJson(result);
      else {
        for (const d of result.findings) console.log(formatDiagnostic(d));
        console.log(`${result.errors} error(s), ${result.warnings} warning(s)`);
      }
      if (result.errors > 0) process.exitCode = 1;
    });

  spec
    .command("diff")
    .description(
      "Compare two specs: sections added/removed/retitled, authority changes, examples, eval files, and changed text word by word",
    )
    .argument("<a>", "older spec (folder or release)")
    .argument("<b>", "newer spec (folder or release)")
    .option("--section <id>", "the word diff of this section in full (repeatable)", collect, [])
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      examples(
        "modelspec spec diff 2025-04-11 2025-09-12",
        "modelspec spec diff 2025-09-12 2025-12-18 --section do_not_lie",
        "modelspec spec diff 2025-12-18 ./my-fork --json",
      ),
    )
    .action((a: string, b: string, opts: { section: string[]; json?: boolean }) => {
      const [older, newer] = [loadSpec(a), loadSpec(b)];
      const diff = diffSpecs(older, newer);
      if (opts.json) return printJson(diff);
      const unchanged = opts.section.find((id) => !diff.textChanged.includes(id));
      if (unchanged !== undefined) {
        throw new UsageError(
          `--section ${unchanged}: ${findSection(newer, unchanged) ? "its text is the same in both" : "no such section in the newer spec"}`,
        );
      }
      const textChanges = diffSectionTexts(older, newer);
      const sections = opts.section.length > 0 ? opts.section : undefined;
      console.log(renderSpecDiff(diff, a, b, { textChanges, sections, ...terminal() }));
    });
}

function specLabel(model: SpecModel, arg: string): string {
  return model.source.version ? `Model Spec ${model.source.version}` : arg;
}
