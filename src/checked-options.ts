import type { z } from "zod";
import { UsageError } from "./errors.js";

/**
 * Options checked against their zod schema; a bad one is a `UsageError` naming it (`<noun> <path>: <why> (got …)`,
 * or the unknown keys). One rule for the library's options and the runtime's, which must not load the rest.
 *
 * @example
 * checkOptions(z.strictObject({ limit: z.number() }), { limit: "5" }, "option"); // UsageError: option limit: …
 */
export function checkOptions<S extends z.ZodType>(schema: S, options: unknown, noun: string): z.output<S> {
  const parsed = schema.safeParse(options);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (issue?.code === "unrecognized_keys") {
    throw new UsageError(`unknown ${noun} ${issue.keys.map((k) => `'${k}'`).join(", ")}`);
  }
  const name = issue?.path.join(".") || "options";
  const given = issue?.path.reduce<unknown>(
    (value, key) => (value as Record<PropertyKey, unknown>)?.[key],
    options,
  );
  const shown =
    typeof given === "number" || typeof given === "string" ? ` (got ${JSON.stringify(given)})` : "";
  throw new UsageError(`${noun} ${name}: ${issue?.message ?? "invalid"}${shown}`);
}
