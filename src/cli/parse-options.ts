import { InvalidArgumentError } from "commander";

export function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("expected a whole number");
  return n;
}

export function float(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError("expected a number");
  return n;
}

/** A rate as 0-1 or a percentage (80 or 80%). */
export function rate(value: string): number {
  const n = Number(value.replace(/%$/, ""));
  if (!Number.isFinite(n) || n < 0 || n > 100)
    throw new InvalidArgumentError("expected a rate, e.g. 0.8 or 80%");
  return value.endsWith("%") || n > 1 ? n / 100 : n;
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
