/**
 * Text styles for a terminal: ANSI colours when `color` is on (the CLI turns it on for a TTY without NO_COLOR),
 * else plain markers that read the same in a file or a pipe (`**bold**`, `[-deleted-]{+inserted+}`, as
 * `git diff --word-diff=plain` writes them). Styles wrap text that was already made safe (`terminalText`).
 */
export interface TerminalStyle {
  strong(text: string): string;
  em(text: string): string;
  code(text: string): string;
  heading(text: string): string;
  /** Secondary text: link targets, footnote marks, code blocks. */
  dim(text: string): string;
  link(text: string): string;
  inserted(text: string): string;
  deleted(text: string): string;
}

const ansi = (open: number, close: number) => (text: string) => `\x1b[${open}m${text}\x1b[${close}m`;

const COLOR: TerminalStyle = {
  strong: ansi(1, 22),
  em: ansi(3, 23),
  code: ansi(36, 39),
  heading: (text) => ansi(1, 22)(ansi(4, 24)(text)),
  dim: ansi(2, 22),
  link: ansi(4, 24),
  inserted: ansi(32, 39),
  deleted: (text) => ansi(31, 39)(ansi(9, 29)(text)),
};

const PLAIN: TerminalStyle = {
  strong: (text) => `**${text}**`,
  em: (text) => `*${text}*`,
  code: (text) => `\`${text}\``,
  heading: (text) => text,
  dim: (text) => text,
  link: (text) => text,
  inserted: (text) => `{+${text}+}`,
  deleted: (text) => `[-${text}-]`,
};

/** The styles of a terminal with colour, or the plain markers without. */
export function terminalStyle(color: boolean): TerminalStyle {
  return color ? COLOR : PLAIN;
}

/** The printed width of a styled text: its characters without the colour codes. */
export function visibleLength(text: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: colour codes start with ESC
  return [...text.replace(/\x1b\[[0-9;]*m/g, "")].length;
}

/** One line wrapped at word boundaries to `width` printed columns; a longer word stays whole. */
export function wrapLine(line: string, width: number): string[] {
  const lines: string[] = [];
  let current = "";
  for (const word of line.split(" ")) {
    if (current && visibleLength(current) + 1 + visibleLength(word) > width) {
      lines.push(current);
      current = word;
    } else current = current ? `${current} ${word}` : word;
  }
  lines.push(current);
  return lines;
}
