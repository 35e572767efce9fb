import type { CalibrationReport } from "../runs/index.js";
import { decimal, excerpt, formatRate, terminalText, tokens, usd } from "./format.js";
import { renderTable } from "./table.js";

/**
 * A judge's calibration, as `modelspec calibrate` prints it: accuracy and Cohen's kappa against the spec's
 * labels, the confusion counts, and the same by section.
 *
 * @example
 * console.log(renderCalibration(await calibrate({ judge: "openai:gpt-5" })));
 */
export function renderCalibration(r: CalibrationReport): string {
  const c = r.confusion;
  return [
    `Calibration ${r.runId} — judge ${r.judge} on ${r.items} labelled responses (examples hidden from the judge)`,
    ...(r.label ? [`Label: ${excerpt(terminalText(r.label), 90)}`] : []),
    `Accuracy ${formatRate(r.accuracy)}   Cohen's kappa ${decimal(r.kappa, 3)}`,
    `GOOD judged compliant ${c.tp}, GOOD judged not ${c.fn}, BAD judged compliant ${c.fp}, BAD judged not ${c.tn}`,
    `OK responses judged compliant: ${r.okLabels.compliant}/${r.okLabels.graded}; ungraded ${r.ungraded}, errors ${r.errors}${r.pending ? `, pending ${r.pending}` : ""}`,
    `Cost: judge ${tokens(r.tokens.input)} in (${tokens(r.tokens.cachedInput)} cached) / ${tokens(r.tokens.output)} out, estimated ${r.estimatedCostUsd === null ? "unknown price" : usd(r.estimatedCostUsd)}`,
    "",
    renderTable(
      ["section", "n", "accuracy", "kappa", "GOOD→✓", "GOOD→✗", "BAD→✓", "BAD→✗"],
      r.bySection.map((s) => [
        s.sectionId,
        s.confusion.tp + s.confusion.fn + s.confusion.fp + s.confusion.tn,
        formatRate(s.accuracy),
        decimal(s.kappa, 2),
        s.confusion.tp,
        s.confusion.fn,
        s.confusion.fp,
        s.confusion.tn,
      ]),
    ),
  ].join("\n");
}
