import {
  evalPromptSamples,
  exampleSamples,
  readJsonlDataset,
  type Sample,
  SampleSchema,
  selectSamples,
} from "../dataset/index.js";
import { UsageError } from "../errors.js";
import type { SpecModel } from "../spec/index.js";
import { withAppPrompts } from "./app-prompts.js";
import type { ResolvedEvaluateOptions } from "./options.js";

/** The name a dataset is recorded under: the name or path given, or `samples` for samples given directly. */
export function datasetName(dataset: ResolvedEvaluateOptions["dataset"]): string {
  return typeof dataset === "string" ? dataset : "samples";
}

/**
 * The samples an eval runs: the dataset asked for, filtered and subset as the options say (a new array), each
 * with the app's system and developer prompts at the head of its conversation when the options give them.
 */
export function selectDataset(spec: SpecModel, o: DatasetChoice): Sample[] {
  const all = typeof o.dataset === "string" ? namedDataset(spec, o.dataset) : checkedSamples(o.dataset);
  for (const id of o.section) {
    if (!spec.sections.some((s) => s.id === id))
      throw new UsageError(`--section ${id}: no such section in the spec`);
  }
  const samples = selectSamples(
    all,
    {
      sections: o.section,
      topLevel: o.top,
      authority: o.authority,
      tags: o.tag,
      limit: o.limit,
      seed: o.seed,
    },
    spec,
  );
  if (samples.length === 0) throw new UsageError("no samples match the filters");
  return withAppPrompts(samples, o);
}

/** The options that choose an eval's samples (`data sft` chooses its prompts with the same ones). */
type DatasetChoice = Pick<
  ResolvedEvaluateOptions,
  "dataset" | "section" | "top" | "authority" | "tag" | "limit" | "seed" | "systemPrompt" | "developerPrompt"
>;

function namedDataset(spec: SpecModel, dataset: string): Sample[] {
  if (dataset === "eval-prompts") return evalPromptSamples(spec);
  if (dataset === "examples") return exampleSamples(spec);
  if (dataset.endsWith(".jsonl")) return readJsonlDataset(dataset, spec);
  throw new UsageError(`--dataset ${dataset}: expected eval-prompts, examples or a .jsonl file`);
}

function checkedSamples(samples: readonly Sample[]): Sample[] {
  const checked: Sample[] = [];
  const seen = new Set<string>();
  for (const [index, value] of samples.entries()) {
    const parsed = SampleSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UsageError(
        `dataset[${index}]: ${issue?.path.join(".") || "sample"}: ${issue?.message ?? "invalid"}`,
      );
    }
    if (seen.has(parsed.data.id)) throw new UsageError(`dataset[${index}]: duplicate id '${parsed.data.id}'`);
    seen.add(parsed.data.id);
    checked.push(parsed.data);
  }
  return checked;
}
