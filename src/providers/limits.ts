import { UsageError } from "../errors.js";
import { ProviderError } from "./types.js";

/** The largest answer a provider accepts unless told otherwise: 1 MiB. */
const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

/**
 * The answer size limit a provider applies, in bytes: the given one, or 1 MiB. A limit that is not a positive
 * whole number is a UsageError.
 */
export function responseLimit(maxResponseBytes: number | undefined): number {
  if (maxResponseBytes === undefined) return DEFAULT_MAX_RESPONSE_BYTES;
  if (!Number.isSafeInteger(maxResponseBytes) || maxResponseBytes < 1) {
    throw new UsageError(
      `maxResponseBytes must be a positive whole number of bytes, not ${maxResponseBytes}`,
    );
  }
  return maxResponseBytes;
}

/** What a too_large error says, after the provider's id. */
export function tooLargeMessage(limit: number): string {
  return `the answer is larger than maxResponseBytes (${limit} bytes); it is not kept`;
}

/** Fails an answer whose text is over the limit (in UTF-8 bytes) as too_large. */
export function checkAnswerSize(id: string, text: string, limit: number): void {
  if (text.length > limit || Buffer.byteLength(text, "utf8") > limit) {
    throw new ProviderError("too_large", `${id}: ${tooLargeMessage(limit)}`);
  }
}
