import type { Command } from "commander";
import { exampleSamples, type Sample } from "../../dataset/index.js";
import { createProvider } from "../../providers/index.js";
import { cohensKappa, formatRate } from "../../report/stats.js";
import { requestKey } from "../../runner/index.js";
import { LATEST_RELEASE, loadSpec, type ResponseLabel } from "../../spec/index.js";
import { ResultStore } from "../../store/index.js";
import { TOOL_VERSION } from "../../version.js";
import { examples, printJson, renderTable } from "../output.js";
import { addJudgeOptions, type EvalOptions, judgeContextFor, judgingFrom, runPending } from "./eval.js";

interface CalibrationItem {
  sample: Sample;
  label: ResponseLabel;
  response: string;
}

/** Every labelled response of the spec's examples, as a sample to grade with the response already given. */
export function calibrationItems(samples: Sample[]): CalibrationItem[] {
  return samples.flatMap((sample) =>
    sample.references.map((ref, index) => ({
      sample: { ...sample, id: `calibrate:${sample.id}:${index + 1}`, references: [] },
      label: ref.label,
      response: ref.content,
    })),
  );
}

export function registerCalibrateCommand(program: Command): void {
  const command = program
    .command("calibrate")
    .description("Check a judge on the spec's own labelled responses: GOOD should be compliant, BAD not")
    .option("--spec <dir|version>", "spec folder or fetched release", LATEST_RELEASE)
    .option("--section <id>", "only this section (repeatable)", (v: string, p: string[]) => [...p, v], []);
  addJudgeOptions(command)
    .addHelpText(
      "after",
      examples(
        "modelspec calibrate --judge openai:gpt-5",
        "modelspec calibrate --judge local:./judge.gguf --json",
      ),
    )
    .action(async (opts: Omit<EvalOptions, "model" | "dataset"> & { section: string[] }) => {
      const spec = loadSpec(opts.spec);
      const items = calibrationItems(
        exampleSamples(spec).filter(
          (s) => opts.section.length === 0 || opts.section.includes(s.sectionId ?? ""),
        ),
      );
      const context = judgeContextFor(opts.judgeContext, opts.judge);
      // The judge must not see the examples whose labels it is asked to reproduce.
      const judging = { ...judgingFrom(opts, context), hideExamples: true };
      const runId = `cal-${requestKey({ spec: spec.source.contentHash, judge: opts.judge, judging, items: items.map((i) => i.sample.id) }).slice(0, 12)}`;
      const store = ResultStore.open(opts.db);
      const judge = await createProvider(opts.judge, {
        baseURL: opts.judgeBaseUrl,
        threads: opts.threads,
        contextSize: opts.contextSize,
      });
      try {
        const { resumed } = store.startRun({
          id: runId,
          toolVersion: TOOL_VERSION,
          specVersion: spec.source.version,
          specHash: spec.source.contentHash,
          dataset: "calibration",
          model: "spec:labelled-responses",
          judge: opts.judge,
          parentRunId: null,
          params: { judging, sections: opts.section },
        });
        // Idempotent, so a run killed while being set up is completed on the next call.
        store.addSamples(
          runId,
          items.map((i) => i.sample),
          1,
        );
        for (const item of items) {
          const key = requestKey({ kind: "labelled-response", text: item.response });
          store.putCompletion({
            key,
            provider: "spec",
            text: item.response,
            inputTokens: 0,
            outputTokens: 0,
            cachedTokens: null,
            finishReason: null,
            refusal: null,
          });
          store.setSampleCompletion(runId, item.sample.id, 1, { key });
        }
        const { stopped } = await runPending(
          store,
          runId,
          spec,
          null,
          judge,
          { ...opts, judging, quiet: opts.json },
          resumed,
        );
        const result = calibrationReport(store, runId, items);
        store.finishRun(runId, result.pending > 0 ? "interrupted" : "completed");
        if (opts.json) printJson({ runId, judge: opts.judge, ...result });
        else console.log(renderCalibration(runId, opts.judge, result));
        process.exitCode = stopped ? 130 : 0;
      } finally {
        store.close();
        await judge.close?.();
      }
    });
}

type Pair = { expected: boolean; actual: boolean };

export function calibrationReport(store: ResultStore, runId: string, items: CalibrationItem[]) {
  const verdicts = new Map<string, { status: string; compliant: boolean | null }>();
  for (const row of store.runResults(runId)) {
    if (row.verdict)
      verdicts.set(row.sampleId, { status: row.verdict.status, compliant: row.verdict.compliant });
  }
  const pairs: Pair[] = [];
  const bySection = new Map<string, Pair[]>();
  const okLabels = { compliant: 0, graded: 0 };
  let ungraded = 0;
  let errors = 0;
  let pending = 0;
  for (const item of items) {
    const v = verdicts.get(item.sample.id);
    if (!v) pending++;
    else if (v.status === "ungraded") ungraded++;
    else if (v.status === "error") errors++;
    else if (item.label === "OK") {
      okLabels.graded++;
      if (v.compliant) okLabels.compliant++;
    } else {
      const pair = { expected: item.label === "GOOD", actual: v.compliant === true };
      pairs.push(pair);
      const section = item.sample.sectionId ?? "(none)";
      bySection.set(section, [...(bySection.get(section) ?? []), pair]);
    }
  }
  return {
    items: items.length,
    ...cohensKappa(pairs),
    okLabels,
    ungraded,
    errors,
    pending,
    bySection: [...bySection].map(([sectionId, p]) => ({ sectionId, ...cohensKappa(p) })),
  };
}

function renderCalibration(runId: string, judge: string, r: ReturnType<typeof calibrationReport>): string {
  const c = r.confusion;
  return [
    `Calibration ${runId} — judge ${judge} on ${r.items} labelled responses (examples hidden from the judge)`,
    `Accuracy ${formatRate(r.accuracy)}   Cohen's kappa ${r.kappa === null ? "—" : r.kappa.toFixed(3)}`,
    `GOOD judged compliant ${c.tp}, GOOD judged not ${c.fn}, BAD judged compliant ${c.fp}, BAD judged not ${c.tn}`,
    `OK responses judged compliant: ${r.okLabels.compliant}/${r.okLabels.graded}; ungraded ${r.ungraded}, errors ${r.errors}${r.pending ? `, pending ${r.pending}` : ""}`,
    "",
    renderTable(
      ["section", "n", "accuracy", "kappa", "GOOD→✓", "GOOD→✗", "BAD→✓", "BAD→✗"],
      r.bySection.map((s) => [
        s.sectionId,
        s.confusion.tp + s.confusion.fn + s.confusion.fp + s.confusion.tn,
        formatRate(s.accuracy),
        s.kappa === null ? "—" : s.kappa.toFixed(2),
        s.confusion.tp,
        s.confusion.fn,
        s.confusion.fp,
        s.confusion.tn,
      ]),
    ),
  ].join("\n");
}
