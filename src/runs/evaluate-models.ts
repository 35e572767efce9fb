import { UsageError } from "../errors.js";
import { parseProviderName } from "../providers/index.js";
import { evaluate } from "./evaluate.js";
import { type EvaluateModelsOptions, EvaluateModelsOptionsSchema, parseOptions } from "./options.js";
import { modelId } from "./providers.js";
import type { RunSummary } from "./summary.js";

/**
 * Evaluates several models on the same samples with the same judge: one run per model, each exactly the run
 * `evaluate` makes for that model (same run id, resumable from either), one after another in the order given.
 * Everything that can be refused is refused before the first run starts (a model named twice, a misspelt
 * provider, a bad option). An aborted `signal` stops the current run cleanly and starts none of the rest: the
 * summaries returned are those of the runs started, the last one `interrupted`. `onProgress` says which model
 * (`model`, `position` of `models`).
 *
 * @example
 * const summaries = await evaluateModels({
 *   spec: "../shared/model-spec/2025-12-18",
 *   models: ["openai:gpt-4.1-mini", "openai:gpt-4.1"],
 *   judge: "openai:gpt-5",
 *   limit: 20,
 * });
 * for (const s of summaries) console.log(s.model, s.runId, s.overall.rate, s.overall.ci95);
 */
export async function evaluateModels(options: EvaluateModelsOptions): Promise<RunSummary[]> {
  const o = parseOptions(EvaluateModelsOptionsSchema, options);
  const names = o.models.map(modelId);
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) {
    // Two runs of one model would be one run (same id): the second would only resume the first.
    throw new UsageError(`model '${twice}' is given twice: each model is one run, name it once`);
  }
  for (const model of o.models) if (typeof model === "string") parseProviderName(model);
  const { models, onProgress, ...shared } = options;
  const summaries: RunSummary[] = [];
  for (const [i, model] of models.entries()) {
    if (o.signal?.aborted) break;
    const name = names[i] ?? modelId(model);
    summaries.push(
      await evaluate({
        ...shared,
        model,
        onProgress:
          onProgress && ((p) => onProgress({ ...p, model: name, position: i + 1, models: names.length })),
      }),
    );
  }
  return summaries;
}
