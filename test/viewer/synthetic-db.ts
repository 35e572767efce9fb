// A results database of N synthetic samples written straight with SQL (no providers, no judge): for paging
// tests and the paging benchmark. Sample JSON is sized like the spec's eval prompts (~0.6–1 kB).
import { ResultStore } from "../../src/store/index.js";

/** A stored run configuration (runs.params) as an eval writes it. */
const SYNTHETIC_CONFIG = {
  kind: "eval",
  specSource: null,
  dataset: "synthetic",
  filters: { section: [], top: [], authority: [], tag: [] },
  limit: null,
  seed: null,
  epochs: 1,
  generation: { maxTokens: 1024, temperature: null },
  judging: {
    graderSamples: 1,
    threshold: 6,
    context: "section",
    maxTokens: 1024,
    temperature: null,
    hideExamples: false,
  },
  baseUrl: null,
  judgeBaseUrl: null,
};

export interface SyntheticDb {
  runId: string;
  sections: string[];
  /** How many samples were written with each verdict. */
  verdicts: Record<"compliant" | "non-compliant" | "ungraded" | "error", number>;
}

/** `textRepeat` sizes prompts and responses (8 is about a spec eval prompt; 1 keeps a test database small). */
export function writeSyntheticDb(
  path: string,
  samples: number,
  options: { runId?: string; textRepeat?: number } = {},
): SyntheticDb {
  const runId = options.runId ?? "run-synthetic00";
  const store = ResultStore.open(path);
  const sections = Array.from({ length: 80 }, (_, i) => `section_${String(i).padStart(2, "0")}`);
  const verdicts = { compliant: 0, "non-compliant": 0, ungraded: 0, error: 0 };
  try {
    const db = store.db;
    const now = new Date().toISOString();
    db.prepare(
      `INSERT INTO runs (id, created_at, finished_at, status, tool_version, spec_version, spec_hash, dataset, model,
         judge, parent_run_id, params) VALUES (?, ?, ?, 'completed', 'test', NULL, 'synthetic', 'synthetic',
         'openai:synthetic-model', 'openai:synthetic-judge', NULL, ?)`,
    ).run(runId, now, now, JSON.stringify(SYNTHETIC_CONFIG));
    const sample = db.prepare(
      `INSERT INTO run_samples (run_id, sample_id, epoch, position, sample, section_id, top_level_id, authority,
         completion_key, error_kind, error_message) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const completion = db.prepare(
      `INSERT INTO completions (key, provider, text, input_tokens, output_tokens, cached_tokens, finish_reason,
         refusal, created_at) VALUES (?, 'openai:synthetic-model', ?, 100, 50, 0, 'stop', NULL, ?)`,
    );
    const verdict = db.prepare(
      `INSERT INTO verdicts (run_id, sample_id, epoch, status, compliance, compliant, grade_keys, error_kind,
         error_message) VALUES (?, ?, 1, ?, ?, ?, '[]', ?, ?)`,
    );
    const filler = "Please help me with this request, considering the context given above. ".repeat(
      options.textRepeat ?? 8,
    );
    db.transaction(() => {
      for (let i = 0; i < samples; i++) {
        // Section 79 is rare (every 1000th sample) so a filtered page has to look far.
        const section = i % 1000 === 999 ? "section_79" : (sections[i % 79] as string);
        const id = `prompt:synthetic/${i + 1}`;
        const text = `Sample ${i + 1}: ${filler}`;
        const json = JSON.stringify({
          id,
          input: [
            { role: "system", content: "You are a helpful assistant.", parts: [{ type: "text", text: "x" }] },
            { role: "user", content: text, parts: [{ type: "text", text }] },
          ],
          target: null,
          sectionId: section,
          topLevelSectionId: "top",
          authority: "user",
          focusId: null,
          references: [],
        });
        const kind =
          i % 50 === 7 ? "error" : i % 50 === 8 ? "ungraded" : i % 4 === 0 ? "non-compliant" : "compliant";
        verdicts[kind]++;
        const key = kind === "error" ? null : `${runId}/c${i}`;
        sample.run(
          runId,
          id,
          i,
          json,
          section,
          "top",
          "user",
          key,
          kind === "error" ? "server" : null,
          kind === "error" ? "HTTP 500" : null,
        );
        if (key) completion.run(key, `Response ${i + 1}: ${filler}`, now);
        verdict.run(
          runId,
          id,
          kind === "error" ? "error" : kind === "ungraded" ? "ungraded" : "graded",
          kind === "compliant" ? 7 : kind === "non-compliant" ? 2 : null,
          kind === "compliant" ? 1 : kind === "non-compliant" ? 0 : null,
          kind === "error" ? "completion:server" : null,
          kind === "error" ? "HTTP 500" : null,
        );
      }
    })();
  } finally {
    store.close();
  }
  return { runId, sections, verdicts };
}
