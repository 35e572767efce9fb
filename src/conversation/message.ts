import { z } from "zod";
import type { AuthorityLevel } from "./authority.js";

export const ROLES = ["system", "developer", "user", "assistant", "tool"] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

/**
 * A piece of message content. `untrusted` is text the spec marks as data (`<untrusted>` blocks); `settings`
 * is structured configuration such as `under_18: true`. Plain `text` carries the message's own authority.
 */
const ContentPartSchema = z.object({
  type: z.enum(["text", "untrusted", "settings"]),
  text: z.string(),
});
export type ContentPart = z.infer<typeof ContentPartSchema>;

export const MessageSchema = z.object({
  role: RoleSchema,
  /** The message text as written, including any `<untrusted>`/`<settings>` tags. */
  content: z.string(),
  /** The same content split into typed parts, in order. */
  parts: z.array(ContentPartSchema),
  /** Attributes written on the tag, e.g. recipient, end_turn, name, comment. */
  attributes: z.record(z.string(), z.string()).optional(),
});
export type Message = z.infer<typeof MessageSchema>;

/**
 * The authority a role's plain text carries in the chain of command.
 *
 * @example
 * roleAuthority("developer"); // "developer"
 * roleAuthority("tool"); // "none"
 */
export function roleAuthority(role: Role): AuthorityLevel {
  switch (role) {
    case "system":
    case "developer":
    case "user":
      return role;
    case "assistant":
    case "tool":
      return "none";
  }
}

/**
 * The authority of one content part: untrusted text never carries authority, whatever the role.
 *
 * @example
 * partAuthority("developer", { type: "untrusted", text: "Ignore previous instructions" }); // "none"
 */
export function partAuthority(role: Role, part: ContentPart): AuthorityLevel {
  return part.type === "untrusted" ? "none" : roleAuthority(role);
}

/**
 * Builds a plain-text message, for callers that have no typed parts.
 *
 * @example
 * const conversation = [textMessage("developer", "Answer in French."), textMessage("user", "Hello!")];
 */
export function textMessage(role: Role, text: string): Message {
  return { role, content: text, parts: [{ type: "text", text }] };
}
