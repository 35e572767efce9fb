import type { Query } from "./connection.js";

/** Prepares a statement once per connection and returns it (see connection.ts): the store's query functions take it. */
export type Sql = (text: string) => Query;

/** A run's samples joined to their verdicts (none yet: pending). */
export const VERDICT_JOIN =
  "LEFT JOIN verdicts v ON v.run_id = s.run_id AND v.sample_id = s.sample_id AND v.epoch = s.epoch";
