import { parseConversation } from "./conversation-parser.js";
import type { Diagnostic } from "./diagnostics.js";
import { blockMarkdown } from "./markdown.js";
import type { EvalPrompt } from "./model.js";

const HEADER = /^Examples for \[\^([\w-]+)\] in (.*?):?\s*$/;
const EXAMPLE_TITLE = /^\*\*Example\*\*\s*:?\s*(.*)$/;

export interface ParsedEvalPromptFile {
  footnoteId: string;
  /** Section title named by the file's header line, used for files no section cites. */
  headerTitle: string | null;
  prompts: Omit<EvalPrompt, "sectionId" | "cited">[];
  diagnostics: Diagnostic[];
}

/**
 * Parses one `examples/<id>.md` file: a header line `Examples for [^id] in <section title>:` and
 * `**Example**: title` paragraphs each followed by a ```xml conversation. `path` names it in diagnostics.
 */
export function parseEvalPromptFile(name: string, text: string, path: string): ParsedEvalPromptFile {
  const footnoteFromName = name.replace(/\.md$/, "");
  const lines = text.split(/\r?\n/);
  const diagnostics: Diagnostic[] = [];
  const header = HEADER.exec(lines[0] ?? "");
  if (!header) {
    diagnostics.push({
      severity: "warning",
      code: "eval-file-header",
      file: path,
      line: 1,
      message: `expected a first line 'Examples for [^${footnoteFromName}] in <section title>:'`,
    });
  } else if (header[1] !== footnoteFromName) {
    diagnostics.push({
      severity: "warning",
      code: "eval-file-header",
      file: path,
      line: 1,
      message: `header names footnote [^${header[1]}] but the file is ${name}`,
    });
  }

  const prompts: ParsedEvalPromptFile["prompts"] = [];
  let title: string | null = null;
  for (const token of blockMarkdown.parse(text, {})) {
    if (!token.map) continue;
    const first = lines[token.map[0]] ?? "";
    if (token.type === "paragraph_open") {
      const m = EXAMPLE_TITLE.exec(first);
      title = m ? (m[1]?.trim() ?? "") || null : null;
      continue;
    }
    if (token.type !== "fence") continue;
    const last = lines[token.map[1] - 1] ?? "";
    if (token.map[1] - token.map[0] < 2 || !/^\s{0,3}(`{3,}|~{3,})\s*$/.test(last)) {
      diagnostics.push({
        severity: "error",
        code: "unclosed-fence",
        file: path,
        line: token.map[0] + 1,
        message: "code fence is never closed",
      });
    }
    if (token.info.trim() !== "xml") continue;
    const conversation = parseConversation(token.content.split("\n"), token.map[0] + 2, path);
    diagnostics.push(...conversation.diagnostics);
    if (conversation.responses.length > 0) {
      diagnostics.push({
        severity: "warning",
        code: "eval-prompt-has-responses",
        file: path,
        line: token.map[0] + 1,
        message: "eval prompt contains candidate responses; they are ignored",
      });
    }
    prompts.push({
      id: `${footnoteFromName}/${prompts.length + 1}`,
      file: name,
      footnoteId: footnoteFromName,
      title,
      messages: conversation.messages,
      line: token.map[0] + 1,
    });
    title = null;
  }
  return { footnoteId: footnoteFromName, headerTitle: header?.[2] ?? null, prompts, diagnostics };
}
