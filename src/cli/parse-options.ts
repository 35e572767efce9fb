import { InvalidArgumentError, Option } from "commander";
import {
  describeRange,
  type ErrorBudget,
  inRange,
  RANGES,
  type RangedOption,
  thousands,
} from "../runs/index.js";

/** A commander parser for a numeric flag: the number, or the flag refused with its range (see runs/ranges.ts). */
function ranged(option: RangedOption): (value: string) => number {
  return (value) => {
    const n = value.trim() === "" ? Number.NaN : Number(value);
    if (!inRange(RANGES[option], n))
      throw new InvalidArgumentError(`expected ${describeRange(RANGES[option])}`);
    return n;
  };
}

/**
 * A numeric flag whose --help shows its range (e.g. "(1–25)") and whose parser refuses values outside it.
 *
 * @example
 * command.addOption(numberOption("--epochs <n>", "answer each sample n times", "epochs", 1));
 */
export function numberOption(
  flags: string,
  description: string,
  option: RangedOption,
  value?: number,
): Option {
  const range = RANGES[option];
  const n = thousands;
  const made = new Option(flags, `${description} (${n(range.min)}–${n(range.max)})`).argParser(
    ranged(option),
  );
  return value === undefined ? made : made.default(value);
}

/** A rate as 0-1 or a percentage (80 or 80%). */
export function rate(value: string): number {
  const n = Number(value.replace(/%$/, ""));
  if (!Number.isFinite(n) || n < 0 || n > 100)
    throw new InvalidArgumentError("expected a rate, e.g. 0.8 or 80%");
  return value.endsWith("%") || n > 1 ? n / 100 : n;
}

/**
 * An error budget: a whole number of samples ("3"), or a rate of them ("2%", "0.02").
 *
 * @example
 * errorBudget("2%"); // { rate: 0.02 }
 */
export function errorBudget(value: string): ErrorBudget {
  const percentage = value.endsWith("%");
  const n = Number(percentage ? value.slice(0, -1) : value);
  if (value.trim() !== "" && Number.isInteger(n) && n >= 0 && !percentage && !value.includes("."))
    return { count: n };
  const rate = percentage ? n / 100 : n;
  if (value.trim() === "" || !Number.isFinite(rate) || rate < 0 || rate > 1) {
    throw new InvalidArgumentError("expected a number of samples (e.g. 3) or a rate (e.g. 2% or 0.02)");
  }
  return { rate };
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** A repeatable flag whose values must differ (`--model a --model b`): a value given twice is refused. */
export function distinctModels(value: string, previous: string[] | undefined): string[] {
  if (previous?.includes(value))
    throw new InvalidArgumentError("given twice: each model is one run, name it once");
  return [...(previous ?? []), value];
}
