// The one redaction every ProviderError message goes through (its constructor calls it): what a provider says
// about a failure is stored with the verdict and shown by every output, so it must not carry a credential.

const REDACTED = "[redacted]";

/** `scheme://user:password@` (a password may hold a raw `@`: the authority ends at the last one). */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#]*@/gi;
/** `api_key=…`, `key=…`, `token=…`, `access_token=…`, `x-api-key=…`, `client_secret=…`, … in queries and text. */
const SECRET_PARAMETER =
  /(^|[?&;\s"'(,])((?:[a-z0-9]+[_-])*(?:api[_-]?key|key|token|secret|password|passwd|pwd|sig|signature|auth|credentials?))=[^&#\s"'<>]*/gi;
/** A bearer credential, as echoed Authorization headers show it. */
const BEARER = /\b(bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi;
/** Anything shaped like an OpenAI or Anthropic key. */
const KEY_SHAPED = /\bsk-[A-Za-z0-9_-]{8,}/g;

/** Secrets shorter than this are not looked for: they would match ordinary text. */
const MIN_SECRET_LENGTH = 4;

/**
 * Removes credentials from a text: each given secret however a server may have echoed it (as it is,
 * percent-encoded in either case, form-encoded, JSON-escaped), credentials in URLs, secret-looking parameters
 * (`api_key=`, `key=`, `token=`, …), bearer tokens, and anything shaped like an API key.
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret !== undefined && secret.length >= MIN_SECRET_LENGTH)
      out = out.replace(echoesOf(secret), REDACTED);
  }
  return out
    .replace(URL_USERINFO, `$1${REDACTED}@`)
    .replace(SECRET_PARAMETER, `$1$2=${REDACTED}`)
    .replace(BEARER, `$1 ${REDACTED}`)
    .replace(KEY_SHAPED, `sk-${REDACTED}`);
}

const patterns = new Map<string, RegExp>();

/** A pattern matching a secret written any of the ways a server may echo it, character by character. */
function echoesOf(secret: string): RegExp {
  let pattern = patterns.get(secret);
  if (!pattern) {
    pattern = new RegExp(Array.from(secret, charForms).join(""), "g");
    patterns.set(secret, pattern);
  }
  return pattern;
}

/** One character as itself, percent-encoded (UTF-8, hex in either case), form-encoded or JSON-escaped. */
function charForms(char: string): string {
  const forms = [escapeRegExp(char)];
  const bytes = Buffer.from(char, "utf8");
  forms.push(Array.from(bytes, (byte) => `%${hexDigits(byte.toString(16).padStart(2, "0"))}`).join(""));
  if (char === " ") forms.push("\\+");
  const json = JSON.stringify(char).slice(1, -1);
  if (json !== char) forms.push(escapeRegExp(json));
  if (char === "/") forms.push("\\\\/");
  const code = char.codePointAt(0) ?? 0;
  if (code <= 0xffff) forms.push(`\\\\u${hexDigits(code.toString(16).padStart(4, "0"))}`);
  return `(?:${forms.join("|")})`;
}

/** Hex digits matching either case: `2f` becomes `2[fF]`. */
function hexDigits(hex: string): string {
  return Array.from(hex, (digit) => (/[a-f]/.test(digit) ? `[${digit}${digit.toUpperCase()}]` : digit)).join(
    "",
  );
}

function escapeRegExp(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
