import { closeSync, openSync, readSync } from "node:fs";
import { DatasetError } from "../errors.js";

const NEWLINE = 0x0a;

/**
 * The lines of a file with their 1-based numbers, read in 1 MB chunks: a 100 000-line dataset is never one
 * string plus an array of its lines in memory at once. Lines are split on the newline byte (which UTF-8 never
 * uses inside a character) and each is decoded strictly: bytes that are not UTF-8 throw a `DatasetError` naming
 * the line rather than turning into replacement characters. Throws the fs error (with its code) when unreadable.
 */
export function* readLines(path: string): Generator<[number, string]> {
  const fd = openSync(path, "r");
  try {
    const buffer = Buffer.allocUnsafe(1 << 20);
    // ignoreBOM keeps the text exactly as written (a byte order mark is not stripped from the first line).
    const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
    let number = 0;
    const decode = (bytes: Uint8Array): string => {
      try {
        return decoder.decode(bytes);
      } catch {
        throw new DatasetError(`${path}:${number}: not valid UTF-8`);
      }
    };
    /** The start of a line that continues in the next chunk (copied: the read buffer is reused). */
    let pending: Buffer[] = [];
    for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer)) {
      const chunk = buffer.subarray(0, read);
      let start = 0;
      for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
        const piece = chunk.subarray(start, end);
        const bytes = pending.length > 0 ? Buffer.concat([...pending, piece]) : piece;
        pending = [];
        number++;
        yield [number, decode(bytes)];
        start = end + 1;
      }
      if (start < read) pending.push(Buffer.from(chunk.subarray(start)));
    }
    if (pending.length > 0) {
      number++;
      yield [number, decode(Buffer.concat(pending))];
    }
  } finally {
    closeSync(fd);
  }
}
