/** How often a running run says it is alive. */
export const HEARTBEAT_MS = 15_000;

/** A run stored as running with no sign of life for this long was killed or crashed: it reads as interrupted. */
const STALE_AFTER_MS = 4 * HEARTBEAT_MS;

/** Whether a run stored as running has stopped giving signs of life (by its heartbeat, else its creation). */
export function isStale(run: { heartbeatAt: string | null; createdAt: string }, now: number): boolean {
  return now - Date.parse(run.heartbeatAt ?? run.createdAt) > STALE_AFTER_MS;
}
