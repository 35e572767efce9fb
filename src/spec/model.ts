import { z } from "zod";
import { MessageSchema, SECTION_AUTHORITIES } from "../conversation/index.js";

/**
 * The compiled Model Spec. This is the documented, versioned JSON model that `modelspec spec export` prints
 * and every later stage (datasets, judge, viewer) reads. Bump SPEC_MODEL_VERSION on any breaking change.
 */
export const SPEC_MODEL_VERSION = 1;

const SectionAuthoritySchema = z.enum(SECTION_AUTHORITIES);

const CrossReferenceSchema = z.object({
  /** The id linked to (`[?](#id)` or `[text](#id)`). */
  id: z.string(),
  /** The link text as written; `?` means "render the target's title". */
  text: z.string(),
  /** The target section's title, or null when the id resolves to nothing. */
  title: z.string().nullable(),
  line: z.number().int(),
});

const SectionSchema = z.object({
  id: z.string(),
  title: z.string(),
  /** Markdown heading level, 1 for `#`. */
  level: z.number().int().min(1).max(6),
  /** Authority as written on the heading; null for sections without one (groups and prose). */
  authority: SectionAuthoritySchema.nullable(),
  /** For a grouping section: the distinct authorities of the sections below it, highest first. */
  authoritiesBelow: z.array(SectionAuthoritySchema),
  tags: z.array(z.string()),
  parentId: z.string().nullable(),
  /** The id of the level-1 ancestor (itself for a level-1 section). */
  topLevelId: z.string(),
  /** The section's own markdown, heading excluded and subsections excluded. */
  body: z.string(),
  /** Text of each `!!! meta` commentary block, in order. */
  commentary: z.array(z.string()),
  crossReferences: z.array(CrossReferenceSchema),
  /** Footnote ids cited in this section's own text, in order of first citation. */
  footnoteRefs: z.array(z.string()),
  line: z.number().int(),
});

const ResponseLabelSchema = z.enum(["GOOD", "BAD", "OK"]);

const CandidateResponseSchema = z.object({
  label: ResponseLabelSchema,
  /** The note written after the label (`<!-- BAD: note -->`), or null. */
  note: z.string().nullable(),
  /** Section ids written in brackets after the label (`<!-- BAD[#chain_of_command] -->`). */
  refs: z.array(z.string()),
  content: z.string(),
  parts: MessageSchema.shape.parts,
  attributes: MessageSchema.shape.attributes,
  /** Which `<comparison>` block of the example this response belongs to (0-based). */
  comparison: z.number().int(),
  /** How many of the example's messages come before this comparison. */
  turn: z.number().int(),
  line: z.number().int(),
});

const ExampleSchema = z.object({
  /** Stable id: `<sectionId>/<n>` with n counting the section's examples from 1. */
  id: z.string(),
  sectionId: z.string(),
  title: z.string().nullable(),
  /** The conversation's messages in order; candidate responses are kept apart in `responses`. */
  messages: z.array(MessageSchema),
  responses: z.array(CandidateResponseSchema),
  line: z.number().int(),
});

const EvalPromptSchema = z.object({
  /** Stable id: `<footnoteId>/<n>` with n counting the file's prompts from 1. */
  id: z.string(),
  /** File name inside `examples/`, e.g. `0dh6.md`. */
  file: z.string(),
  footnoteId: z.string(),
  /** The section whose text cites the footnote; for an uncited file, the section its header names. */
  sectionId: z.string().nullable(),
  /** False when no section cites the file's footnote. */
  cited: z.boolean(),
  title: z.string().nullable(),
  messages: z.array(MessageSchema),
  line: z.number().int(),
});

const FootnoteSchema = z.object({
  id: z.string(),
  sectionId: z.string(),
  /** The eval prompt file for this footnote, or null when there is none. */
  file: z.string().nullable(),
  line: z.number().int(),
});

const SpecSourceSchema = z.object({
  /** Release version when loaded by version or recognised by hash, else null. */
  version: z.string().nullable(),
  /** sha256 of model_spec.md. */
  sha256: z.string(),
  /** sha256 over model_spec.md and every examples file (name and hash, sorted): pins the whole spec. */
  contentHash: z.string(),
});

export const SpecModelSchema = z.object({
  modelVersion: z.literal(SPEC_MODEL_VERSION),
  source: SpecSourceSchema,
  sections: z.array(SectionSchema),
  examples: z.array(ExampleSchema),
  evalPrompts: z.array(EvalPromptSchema),
  footnotes: z.array(FootnoteSchema),
});

export type CrossReference = z.infer<typeof CrossReferenceSchema>;
export type Section = z.infer<typeof SectionSchema>;
export type ResponseLabel = z.infer<typeof ResponseLabelSchema>;
export type CandidateResponse = z.infer<typeof CandidateResponseSchema>;
export type Example = z.infer<typeof ExampleSchema>;
export type EvalPrompt = z.infer<typeof EvalPromptSchema>;
export type Footnote = z.infer<typeof FootnoteSchema>;
export type SpecSource = z.infer<typeof SpecSourceSchema>;
export type SpecModel = z.infer<typeof SpecModelSchema>;
