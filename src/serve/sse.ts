/**
 * Chat Completions streams as the proxy reads them: the body cut into whole server-sent events, each kept as the
 * exact bytes received (so what passes through is unchanged), with the text of every choice gathered on the way.
 */

/** One event: its bytes as received (terminator included), and what its data says. */
export interface SseEvent {
  raw: Buffer;
  /** `[DONE]`, a parsed chunk, or null (a comment, or data that is not JSON). */
  data: "[DONE]" | ChunkLike | null;
}

/** The part of a chat.completion.chunk the proxy reads and rewrites. */
interface ChunkLike {
  choices?: { index?: number; delta?: { content?: unknown } }[];
  [key: string]: unknown;
}

const LF_LF = Buffer.from("\n\n");
const CRLF_CRLF = Buffer.from("\r\n\r\n");

/** Cuts a byte stream into events: feed it chunks, it returns the events completed so far. */
export class SseSplitter {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): SseEvent[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const events: SseEvent[] = [];
    for (;;) {
      const lf = this.pending.indexOf(LF_LF);
      const crlf = this.pending.indexOf(CRLF_CRLF);
      const [at, size] =
        crlf !== -1 && (lf === -1 || crlf < lf) ? [crlf, CRLF_CRLF.length] : [lf, LF_LF.length];
      if (at === -1) break;
      const raw = this.pending.subarray(0, at + size);
      this.pending = this.pending.subarray(at + size);
      events.push({ raw, data: parseData(raw.toString("utf8")) });
    }
    return events;
  }

  /** What is left at the end of the stream (an event without its blank line), as it came. */
  rest(): Buffer {
    return this.pending;
  }
}

function parseData(event: string): SseEvent["data"] {
  const data = event
    .split(/\r?\n/)
    .filter((line) => line.startsWith("data:"))
    .map((line) => line.slice(line.startsWith("data: ") ? 6 : 5))
    .join("\n");
  if (data === "") return null;
  if (data.trim() === "[DONE]") return "[DONE]";
  try {
    const value: unknown = JSON.parse(data);
    return typeof value === "object" && value !== null ? (value as ChunkLike) : null;
  } catch {
    return null;
  }
}

/** Adds an event's text deltas to the text gathered per choice. */
export function gatherText(event: SseEvent, texts: Map<number, string>): void {
  if (event.data === null || event.data === "[DONE]") return;
  for (const choice of event.data.choices ?? []) {
    const content = choice.delta?.content;
    if (typeof content === "string") {
      const index = choice.index ?? 0;
      texts.set(index, (texts.get(index) ?? "") + content);
    }
  }
}

/**
 * The events with each listed choice's text replaced: all of it in the choice's first content delta, the later
 * ones emptied. Events without such a delta keep their bytes.
 */
export function replaceText(events: SseEvent[], texts: Map<number, string>): Buffer[] {
  const written = new Set<number>();
  return events.map((event) => {
    const chunk = event.data;
    if (chunk === null || chunk === "[DONE]" || !chunk.choices?.some((c) => texts.has(c.index ?? 0))) {
      return event.raw;
    }
    let touched = false;
    const choices = chunk.choices.map((choice) => {
      const index = choice.index ?? 0;
      const text = texts.get(index);
      if (text === undefined || typeof choice.delta?.content !== "string") return choice;
      touched = true;
      const first = !written.has(index);
      written.add(index);
      return { ...choice, delta: { ...choice.delta, content: first ? text : "" } };
    });
    return touched ? Buffer.from(`data: ${JSON.stringify({ ...chunk, choices })}\n\n`) : event.raw;
  });
}
