/** A mistake in how modelspec was called (bad flag value, unknown model name): one line for the user, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
