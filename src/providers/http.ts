// What the HTTP providers (openai, anthropic) share below their SDKs: a fetch that reads each answer's body
// itself, so that what the SDK parses has been checked, and the problems it and the parsers find in a body.
import { isUtf8 } from "node:buffer";
import type { ProviderErrorKind } from "./types.js";

/**
 * A problem found in an answer's body, by the fetch below or by a provider's parser. The SDK wraps what a fetch
 * throws in its own connection error; the providers' error mapping looks for this one inside and turns it into
 * a ProviderError of its kind.
 */
export class BodyProblem extends Error {
  readonly kind: ProviderErrorKind;

  constructor(kind: ProviderErrorKind, message: string) {
    super(message);
    this.kind = kind;
  }
}

/**
 * Wraps a fetch so that a successful answer's body is read before the SDK sees it: a body that is not UTF-8 is a
 * `malformed_response` (decoding it would silently turn the bad bytes into U+FFFD and hand on garbled text).
 * Error answers go through as they are: the SDK only reads their text for a message.
 */
export function checkedFetch(base: typeof globalThis.fetch = globalThis.fetch): typeof globalThis.fetch {
  return async (input, init) => {
    const response = await base(input, init);
    if (!response.ok || response.body === null) return response;
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (!isUtf8(bytes)) throw new BodyProblem("malformed_response", "the response body is not valid UTF-8");
    return rebuilt(response, bytes);
  };
}

/** The same answer with a body already read. Its bytes are decoded: length and encoding headers no longer hold. */
function rebuilt(response: Response, bytes: Uint8Array): Response {
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  headers.delete("content-encoding");
  return new Response(bytes, { status: response.status, statusText: response.statusText, headers });
}
