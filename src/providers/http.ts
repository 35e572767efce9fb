// What the HTTP providers (openai, anthropic) share below their SDKs: a fetch that reads each answer's body
// itself, so that what the SDK parses has been checked, and the problems it and the parsers find in a body.
import { isUtf8 } from "node:buffer";
import { tooLargeMessage } from "./limits.js";
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

/** A base URL as the SDK gets it, and what was taken out of it. */
interface SplitBaseURL {
  /** The URL without credentials or fragment; the string as given when it had neither (or does not parse). */
  url: string;
  /** `Basic …` for the credentials the URL carried, if any. */
  authorization: string | undefined;
  /** The credentials in the forms they were given and sent in, for the error messages to leave out. */
  secrets: string[];
}

/**
 * Takes the credentials (`user:password@`) and the fragment out of a base URL. fetch refuses a URL that carries
 * credentials, naming the whole URL in its error; they go as HTTP Basic authentication instead, as curl sends
 * them. A fragment is never part of a request.
 */
export function splitBaseURL(raw: string): SplitBaseURL {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    return { url: raw, authorization: undefined, secrets: [] };
  }
  const { username, password } = parsed;
  if (username === "" && password === "" && parsed.hash === "") {
    return { url: raw, authorization: undefined, secrets: [] };
  }
  const secrets = [password, decoded(password)];
  // A token written as the user name alone (https://TOKEN@host) is a secret too.
  if (password === "") secrets.push(username, decoded(username));
  let authorization: string | undefined;
  if (username !== "" || password !== "") {
    const token = Buffer.from(`${decoded(username)}:${decoded(password)}`).toString("base64");
    authorization = `Basic ${token}`;
    secrets.push(token);
  }
  parsed.username = "";
  parsed.password = "";
  parsed.hash = "";
  return { url: parsed.toString(), authorization, secrets };
}

function decoded(component: string): string {
  try {
    return decodeURIComponent(component);
  } catch {
    return component;
  }
}

interface CheckedFetchOptions {
  /** The fetch to send requests through. Default: the global fetch. */
  fetch?: typeof globalThis.fetch;
  /** An Authorization header to send in place of the SDK's (the base URL's credentials). */
  authorization?: string;
  /** The most bytes of a body read (after content decoding). */
  maxBytes: number;
}

/**
 * Wraps a fetch so that every body is read here, before the SDK sees it, and never past `maxBytes`: memory stays
 * bounded whatever a server sends. A successful answer over the limit is `too_large`; one that is not UTF-8 is a
 * `malformed_response` (decoding it would silently turn the bad bytes into U+FFFD and hand on garbled text). An
 * error answer over the limit is cut there: the SDK only reads its text for a message, and its status decides.
 */
export function checkedFetch(options: CheckedFetchOptions): typeof globalThis.fetch {
  const base = options.fetch ?? globalThis.fetch;
  const { authorization, maxBytes } = options;
  return async (input, init) => {
    let request = init;
    if (authorization !== undefined) {
      const headers = new Headers(init?.headers);
      headers.set("authorization", authorization);
      request = { ...init, headers };
    }
    const response = await base(input, request);
    if (response.body === null) return response;
    const { bytes, whole } = await readAtMost(response, maxBytes);
    if (!response.ok) return rebuilt(response, bytes);
    if (!whole) throw new BodyProblem("too_large", tooLargeMessage(maxBytes));
    if (!isUtf8(bytes)) throw new BodyProblem("malformed_response", "the response body is not valid UTF-8");
    return rebuilt(response, bytes);
  };
}

/**
 * Reads a body up to `maxBytes`, then stops (the rest is never received: cancelling the body closes the
 * connection). A body that announces a larger Content-Length is not read at all.
 */
async function readAtMost(
  response: Response,
  maxBytes: number,
): Promise<{ bytes: Uint8Array; whole: boolean }> {
  const body = response.body;
  if (body === null) return { bytes: new Uint8Array(0), whole: true };
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBytes && response.ok) {
    await body.cancel().catch(() => undefined);
    return { bytes: new Uint8Array(0), whole: false };
  }
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { bytes: Buffer.concat(chunks, size), whole: true };
    if (size + value.byteLength > maxBytes) {
      chunks.push(value.subarray(0, maxBytes - size));
      await reader.cancel().catch(() => undefined);
      return { bytes: Buffer.concat(chunks, maxBytes), whole: false };
    }
    chunks.push(value);
    size += value.byteLength;
  }
}

/** The same answer with a body already read. Its bytes are decoded: length and encoding headers no longer hold. */
function rebuilt(response: Response, bytes: Uint8Array): Response {
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  headers.delete("content-encoding");
  return new Response(bytes, { status: response.status, statusText: response.statusText, headers });
}
