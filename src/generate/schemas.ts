/** What the generator and the validator must answer: zod schemas (read by askJson) and the same as JSON schemas. */
import { z } from "zod";

const GENERATED_ROLES = ["system", "developer", "user", "assistant", "tool"] as const;
const APP_KINDS = ["override", "injection"] as const;

const GeneratedMessageSchema = z.object({
  role: z.enum(GENERATED_ROLES),
  content: z.string().regex(/\S/, "empty message"),
  /** The tool's name on a tool message; empty otherwise. */
  tool_name: z.string(),
});

const promptShape = {
  focus: z.string(),
  messages: z.array(GeneratedMessageSchema).min(1),
  rubric: z.string().regex(/\S/, "empty rubric"),
};

/** The assistant under test answers next: the conversation ends with what it answers. */
const endsWithTurn = (p: { messages: { role: string }[] }) =>
  ["user", "tool"].includes(p.messages.at(-1)?.role ?? "");
const TURN = { message: "the conversation must end with a user or tool message" };

const PromptSchema = z.object(promptShape).refine(endsWithTurn, TURN);

/**
 * App-prompt mode: the developer prompt is put first by us, so the generator writes no system or developer
 * message; an injection carries its payload in a tool message.
 */
const AppPromptSchema = z
  .object({ ...promptShape, kind: z.enum(APP_KINDS) })
  .refine(endsWithTurn, TURN)
  .refine((p) => p.messages.every((m) => m.role !== "system" && m.role !== "developer"), {
    message: "no system or developer message: the app's developer prompt is added to every conversation",
  })
  .refine((p) => p.kind !== "injection" || p.messages.some((m) => m.role === "tool"), {
    message: "an injection needs a tool message carrying it",
  });

export const GeneratorAnswerSchema = z.object({ prompts: z.array(PromptSchema).min(1) });
export const AppGeneratorAnswerSchema = z.object({ prompts: z.array(AppPromptSchema).min(1) });
export type GeneratedPrompt = z.infer<typeof PromptSchema> & { kind?: (typeof APP_KINDS)[number] };

const messageJson = {
  type: "object",
  properties: {
    role: { type: "string", enum: [...GENERATED_ROLES] },
    content: { type: "string" },
    tool_name: { type: "string" },
  },
  required: ["role", "content", "tool_name"],
  additionalProperties: false,
};

/**
 * The generator's answer as a JSON schema for structured output, written out (as the judge's is) to stay within
 * what strict OpenAI `json_schema` mode and llama.cpp grammars accept.
 */
export function generatorJsonSchema(app: boolean): Record<string, unknown> {
  const properties: Record<string, unknown> = {
    focus: { type: "string" },
    messages: { type: "array", items: messageJson },
    rubric: { type: "string" },
    ...(app ? { kind: { type: "string", enum: [...APP_KINDS] } } : {}),
  };
  return {
    type: "object",
    properties: {
      prompts: {
        type: "array",
        items: {
          type: "object",
          properties,
          required: Object.keys(properties),
          additionalProperties: false,
        },
      },
    },
    required: ["prompts"],
    additionalProperties: false,
  };
}

/** The validator's verdict on one generated prompt. */
export const ReviewSchema = z.object({
  on_topic: z.boolean(),
  rubric_follows: z.boolean(),
  reason: z.string(),
});

export const REVIEW_JSON_SCHEMA = {
  type: "object",
  properties: {
    on_topic: { type: "boolean" },
    rubric_follows: { type: "boolean" },
    reason: { type: "string" },
  },
  required: ["on_topic", "rubric_follows", "reason"],
  additionalProperties: false,
};
