import { randomBytes } from "node:crypto";

/**
 * The judge's boundary between our prompt and the text it grades. Every field that reaches the judge
 * (response, conversation, rubric, references, ids, titles, attributes, and the spec text itself, which may come
 * from a fork) enters the prompt through `Boundary.wrap` and nothing else: its delimiters carry the run's random
 * token, which no text can know, and text that looks like one of our delimiters is neutralised.
 */

/** The delimiters the judge relies on. Each is written `<name-TOKEN …>` … `</name-TOKEN>`. */
const DELIMITERS = [
  "model_spec",
  "section_under_test",
  "reference",
  "rubric",
  "conversation",
  "message",
  "candidate_response",
  "untrusted_text",
  "settings",
] as const;
type Delimiter = (typeof DELIMITERS)[number];

const TOKEN = /^[0-9a-f]{16,64}$/;

/**
 * A new random boundary token (16 random bytes, hex): drawn once per run by the application layer, stored with
 * the run's configuration and reused when the run resumes, so its prompts (and cached grades) stay the same.
 *
 * @example
 * const judging = { ...settings, boundary: newBoundary() };
 */
export function newBoundary(): string {
  return randomBytes(16).toString("hex");
}

/** A piece of the judge prompt built by `Boundary.wrap`: only these are inserted without neutralising. */
class Block {
  constructor(readonly text: string) {}
}

export type { Block };

export interface Boundary {
  readonly token: string;
  /**
   * The one way into the judge prompt: a delimited block whose tags carry the run's token. Strings (the content
   * and every attribute value) are untrusted: text that could read as a delimiter, or that carries the token, is
   * neutralised, and attribute values are escaped. Blocks made by `wrap` nest as they are.
   */
  wrap(
    tag: Delimiter,
    attributes: readonly (readonly [string, string])[],
    content: string | readonly (string | Block)[],
  ): Block;
}

/**
 * The boundary for one run's token.
 *
 * @throws RangeError when the token is missing or not 16 to 64 lower-case hex digits: a missing token is never
 * replaced by a guessable default.
 */
export function createBoundary(token: unknown): Boundary {
  if (typeof token !== "string" || !TOKEN.test(token)) {
    throw new RangeError(
      "the judge needs the run's boundary token (16 to 64 lower-case hex digits, see newBoundary)",
    );
  }
  return {
    token,
    wrap(tag, attributes, content) {
      const pieces = typeof content === "string" ? [content] : content;
      let body = "";
      let pending = "";
      for (const piece of pieces) {
        if (piece instanceof Block) {
          // Adjacent strings are neutralised together: a tag split across two of them is still seen.
          body += neutralize(pending, token) + piece.text;
          pending = "";
        } else {
          pending += piece;
        }
      }
      body += neutralize(pending, token);
      const names = new Set<string>();
      const attrs = attributes
        .map(([name, value]) => {
          // Escaping leaves no `<` in a name or a value: only the token needs taking out first.
          let safe = attributeName(neutralize(name, token, false));
          while (names.has(safe)) safe = `${safe}_`;
          names.add(safe);
          return ` ${safe}="${escapeAttribute(neutralize(value, token, false))}"`;
        })
        .join("");
      return new Block(`<${tag}-${token}${attrs}>\n${body}\n</${tag}-${token}>`);
    },
  };
}

// Characters a lenient reader may take for the ASCII ones that make a tag or a token, after NFKD and lower case
// (which already fold fullwidth and mathematical forms): lookalike brackets, slashes, dashes and letters.
const LOOKALIKES: Readonly<Record<string, string>> = {
  ...spread("<", "‹〈⟨❬❮˂ᐸ⧼≺"),
  ...spread("/", "⁄∕⧸╱⟋"),
  ...spread("-", "‐‑‒–—―−⁃˗"),
  ...spread("a", "аɑα"),
  ...spread("b", "ьƅ"),
  ...spread("c", "сϲᴄ"),
  ...spread("d", "ԁ"),
  ...spread("e", "еҽε"),
  ...spread("g", "ɡց"),
  ...spread("h", "һ"),
  ...spread("i", "іιıɩӏ"),
  ...spread("j", "ј"),
  ...spread("k", "κк"),
  ...spread("l", "ǀ"),
  ...spread("m", "м"),
  ...spread("n", "ո"),
  ...spread("o", "оοօσ"),
  ...spread("p", "рρ"),
  ...spread("r", "г"),
  ...spread("s", "ѕꜱ"),
  ...spread("t", "тτ"),
  ...spread("u", "υս"),
  ...spread("v", "νѵ"),
  ...spread("x", "хχ"),
  ...spread("y", "у"),
};

function spread(to: string, from: string): Record<string, string> {
  return Object.fromEntries([...from].map((c) => [c, to]));
}

/** Invisible to a reader: marks, controls, format characters (zero-width and tag characters), whitespace. */
const INVISIBLE = /[\p{M}\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\s]/u;

/**
 * The text as a lenient reader might see it, with where each of its UTF-16 units came from: compatibility forms
 * folded (NFKD: fullwidth, mathematical), case folded, invisible characters and whitespace dropped, lookalikes
 * mapped. Used only to find what to neutralise; the text itself keeps its characters.
 */
function skeleton(text: string): { chars: string; from: number[]; to: number[] } {
  let chars = "";
  const from: number[] = [];
  const to: number[] = [];
  let offset = 0;
  for (const ch of text) {
    const end = offset + ch.length;
    const code = ch.charCodeAt(0);
    if (code < 0x80) {
      if (code > 0x20 && code !== 0x7f) {
        chars += code >= 0x41 && code <= 0x5a ? String.fromCharCode(code + 0x20) : ch;
        from.push(offset);
        to.push(end);
      }
    } else {
      for (const c of ch.normalize("NFKD").toLowerCase().normalize("NFKD")) {
        if (INVISIBLE.test(c)) continue;
        const folded = LOOKALIKES[c] ?? c;
        chars += folded;
        // One entry per UTF-16 unit, so that string indexes into `chars` find their origin.
        for (let unit = 0; unit < folded.length; unit++) {
          from.push(offset);
          to.push(end);
        }
      }
    }
    offset = end;
  }
  return { chars, from, to };
}

// A tag-like start of one of our delimiters, any token or none: `<`, slashes or backslashes (`</x>`, `<\/x>`),
// the name with its underscores optional or dashes (`candidate-response`), in any case or lookalike.
const TAG_LIKE = new RegExp(`<[\\\\/]*(?:${DELIMITERS.map((d) => d.replace(/_/g, "[_-]?")).join("|")})`, "g");

/**
 * Neutralises untrusted text: the `<` of anything a lenient reader could take for one of our delimiters becomes
 * `&lt;` (unless `tags` is false), and any occurrence of the run's token (in any case, width, or with invisible
 * characters inside) becomes `[boundary]`. Neither replacement contains a `<` or a hex run, so the result needs
 * no second pass.
 */
function neutralize(text: string, token: string, tags = true): string {
  if (text === "") return text;
  const { chars, from, to } = skeleton(text);
  const cuts: { start: number; end: number; with: string }[] = [];
  for (const m of tags ? chars.matchAll(TAG_LIKE) : []) {
    const at = m.index;
    cuts.push({ start: from[at] ?? 0, end: to[at] ?? 0, with: "&lt;" });
  }
  for (let at = chars.indexOf(token); at !== -1; at = chars.indexOf(token, at + 1)) {
    cuts.push({ start: from[at] ?? 0, end: to[at + token.length - 1] ?? 0, with: "[boundary]" });
  }
  if (cuts.length === 0) return text;
  cuts.sort((a, b) => a.start - b.start);
  let out = "";
  let last = 0;
  for (const cut of cuts) {
    if (cut.end <= last) continue;
    out += text.slice(last, Math.max(last, cut.start)) + cut.with;
    last = cut.end;
  }
  return out + text.slice(last);
}

/** An attribute name as written on our tags: lower-case letters, digits, `_` and `-`, starting with a letter. */
function attributeName(name: string): string {
  const safe = name.toLowerCase().replace(/[^a-z0-9_-]/g, "_");
  return /^[a-z]/.test(safe) ? safe.slice(0, 64) : `x_${safe}`.slice(0, 64);
}

/**
 * Escapes an attribute value so it cannot close the attribute or the tag: `&` and `"` as entities; `'`, `<`, `>`,
 * controls, line and paragraph separators, and the compatibility forms and lookalikes of quotes and brackets as
 * character references.
 */
function escapeAttribute(value: string): string {
  let out = "";
  for (const c of value) {
    if (c === "&") out += "&amp;";
    else if (c === '"') out += "&quot;";
    else if (
      NEEDS_REFERENCE.test(c) ||
      /["'<>]/.test(c.normalize("NFKD")) ||
      BRACKET_LOOKALIKES.includes(c)
    ) {
      out += `&#x${(c.codePointAt(0) ?? 0).toString(16)};`;
    } else out += c;
  }
  return out;
}

const NEEDS_REFERENCE = /^[\p{Cc}\p{Zl}\p{Zp}'<>]$/u;
const BRACKET_LOOKALIKES = "‹〈⟨❬❮˂ᐸ⧼≺›〉⟩❭❯˃ᐳ⧽≻";
