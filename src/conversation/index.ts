export {
  AUTHORITY_LEVELS,
  type AuthorityLevel,
  compareAuthority,
  isSectionAuthority,
  normalizeAuthority,
  SECTION_AUTHORITIES,
  type SectionAuthority,
} from "./authority.js";
export {
  type ContentPart,
  type Message,
  MessageSchema,
  partAuthority,
  ROLES,
  type Role,
  RoleSchema,
  roleAuthority,
  textMessage,
} from "./message.js";
