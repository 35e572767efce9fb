/**
 * What the guard decided about one response. `pass`: it complies; `flagged`: it does not, and is returned as it
 * is with this annotation (mode flag); `blocked`: replaced by a refusal citing the section (mode block, or revise
 * when no revision passed); `revised`: replaced by a revision that passed; `unchecked`: the guard could not
 * decide (its model failed or gave no usable answer), and the response is returned as it is.
 */
export type GuardStatus = "pass" | "flagged" | "blocked" | "revised" | "unchecked";

export interface GuardResult {
  status: GuardStatus;
  /** The text to return: the response itself, the refusal, or the revision. */
  text: string;
  /** Median compliance (1–7) of the last check, or null when unchecked. */
  compliance: number | null;
  /** Section ids the guard's verdict rests on (those among the checked sections). */
  sections: string[];
  /** The guard's reason, or why it could not decide. */
  rationale: string | null;
  /** Revisions made (mode revise). */
  rounds: number;
}
