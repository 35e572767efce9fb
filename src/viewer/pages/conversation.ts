/**
 * A conversation as the chain of command sees it: each message with its role and the authority its text
 * carries; untrusted parts (quoted data, tool output the spec marks `<untrusted>`) boxed and marked as carrying
 * no authority, whatever the role; settings parts labelled.
 */
import {
  type ContentPart,
  type Message,
  partAuthority,
  type Role,
  roleAuthority,
} from "../../conversation/index.js";
import { html, type SafeHtml } from "../html.js";
import { authorityBadge, textBlock } from "./parts.js";

function part(role: Role, p: ContentPart): SafeHtml {
  if (p.type === "untrusted") {
    return html`<div class="part untrusted" data-authority="${partAuthority(role, p)}"><div class="part-label">untrusted data · carries no authority</div>${textBlock(p.text)}</div>`;
  }
  if (p.type === "settings") {
    return html`<div class="part settings"><div class="part-label">settings</div>${textBlock(p.text)}</div>`;
  }
  return html`<div class="part" data-authority="${partAuthority(role, p)}">${textBlock(p.text)}</div>`;
}

function attributes(m: Message): SafeHtml[] {
  return Object.entries(m.attributes ?? {}).map(([k, v]) => html`<span class="tag">${k}=${v}</span>`);
}

export function message(m: Message): SafeHtml {
  const parts = m.parts.length > 0 ? m.parts : [{ type: "text" as const, text: m.content }];
  return html`<div class="msg ${m.role}" data-role="${m.role}"><div class="msg-head"><span class="role">${m.role}</span>${authorityBadge(roleAuthority(m.role))}${attributes(m)}</div>${parts.map((p) => part(m.role, p))}</div>`;
}

export function conversation(messages: Message[]): SafeHtml {
  return html`<div class="conversation">${messages.map(message)}</div>`;
}

/** The candidate's answer: assistant output, so no authority. */
export function response(text: string, label = "response", extra: SafeHtml = html``): SafeHtml {
  return html`<div class="msg assistant response" data-role="assistant"><div class="msg-head"><span class="role">${label}</span>${authorityBadge("none")}${extra}</div>${textBlock(text)}</div>`;
}
