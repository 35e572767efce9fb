import { closeSync, openSync, readSync } from "node:fs";
import { StringDecoder } from "node:string_decoder";

/**
 * The lines of a file with their 1-based numbers, read in 1 MB chunks: a 100 000-line dataset is never one
 * string plus an array of its lines in memory at once. Throws the fs error (with its code) when unreadable.
 */
export function* readLines(path: string): Generator<[number, string]> {
  const fd = openSync(path, "r");
  try {
    const buffer = Buffer.allocUnsafe(1 << 20);
    const decoder = new StringDecoder("utf8");
    let pending = "";
    let number = 0;
    for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer)) {
      const lines = (pending + decoder.write(buffer.subarray(0, read))).split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) yield [++number, line];
    }
    pending += decoder.end();
    if (pending !== "") yield [++number, pending];
  } finally {
    closeSync(fd);
  }
}
