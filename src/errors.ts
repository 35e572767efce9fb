/**
 * The errors modelspec throws on purpose. Each class has a stable `code`, so a script can tell a mistake it can
 * fix (bad option, unreadable spec or dataset, a database that is not ours) from a provider failure or a bug;
 * the CLI prints their message alone (exit 2) and anything else as an internal error (exit 3).
 *
 * @example
 * try {
 *   await evaluate({ model: "openai:gpt-4.1-mini", judge: "openai:gpt-5" });
 * } catch (error) {
 *   if (error instanceof ModelspecError) console.error(error.code, error.message);
 *   else throw error;
 * }
 */
export abstract class ModelspecError extends Error {
  abstract readonly code: string;
}

/**
 * A mistake in how modelspec was called (bad option value, unknown model name, no such run).
 *
 * @example
 * await evaluate({ model: "openai:gpt-4.1-mini", judge: "openai:gpt-5", epochs: -1 }); // UsageError: option epochs: …
 */
export class UsageError extends ModelspecError {
  readonly code = "ERR_USAGE";
  override readonly name = "UsageError";
}

/**
 * A dataset or replay file that cannot be used as it is; the message names the file and line.
 *
 * @example
 * readJsonlDataset("prompts.jsonl", null); // DatasetError: prompts.jsonl:14: not valid JSON
 */
export class DatasetError extends ModelspecError {
  readonly code = "ERR_DATASET";
  override readonly name = "DatasetError";
}

/**
 * A results database that cannot be opened, is not a modelspec database, or holds another schema.
 *
 * @example
 * openResults("notes.txt"); // DatabaseError: notes.txt: cannot open results database (file is not a database)
 */
export class DatabaseError extends ModelspecError {
  readonly code = "ERR_DATABASE";
  override readonly name = "DatabaseError";
}
