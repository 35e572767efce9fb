import type { Message } from "../conversation/index.js";
import type { Example, SpecModel } from "../spec/index.js";
import type { Sample } from "./sample.js";

function sectionFacts(model: SpecModel, sectionId: string | null) {
  const section = sectionId ? model.sections.find((s) => s.id === sectionId) : undefined;
  return {
    sectionId: section?.id ?? sectionId,
    topLevelSectionId: section?.topLevelId ?? null,
    authority: section?.authority ?? null,
  };
}

/**
 * The spec's eval prompts (examples/*.md): one sample per prompt, no rubric, linked by footnote to its section.
 *
 * @example
 * const samples = evalPromptSamples(loadSpec("2025-12-18"));
 * console.log(samples[0]?.id, samples[0]?.sectionId); // e.g. "prompt:<footnote>/1", its section
 */
export function evalPromptSamples(model: SpecModel): Sample[] {
  return model.evalPrompts
    .filter((p) => p.messages.length > 0)
    .map((p) => ({
      id: `prompt:${p.id}`,
      input: p.messages,
      target: null,
      ...sectionFacts(model, p.sectionId),
      focusId: p.footnoteId,
      references: [],
    }));
}

/**
 * The spec's examples with candidate responses: one sample per `<comparison>`, whose input is the conversation
 * up to it. Earlier comparisons in the same example are replaced by their first GOOD (else OK) response, so a
 * multi-turn example continues the way the spec endorses. The labelled responses are kept as references.
 *
 * @example
 * const samples = exampleSamples(loadSpec("2025-12-18"));
 * console.log(samples[0]?.references.map((r) => r.label)); // e.g. ["GOOD", "BAD"]
 */
export function exampleSamples(model: SpecModel): Sample[] {
  return model.examples.flatMap((example) => {
    const comparisons = [...new Set(example.responses.map((r) => r.comparison))];
    return comparisons.map((comparison) => {
      const responses = example.responses.filter((r) => r.comparison === comparison);
      return {
        id: comparisons.length > 1 ? `example:${example.id}#${comparison + 1}` : `example:${example.id}`,
        input: conversationBefore(example, comparison),
        target: null,
        ...sectionFacts(model, example.sectionId),
        focusId: example.id,
        references: responses.map((r) => ({ label: r.label, content: r.content, note: r.note })),
      };
    });
  });
}

/** The example's messages before comparison `index`, with earlier comparisons resolved to an endorsed answer. */
function conversationBefore(example: Example, index: number): Message[] {
  const turn = example.responses.find((r) => r.comparison === index)?.turn ?? example.messages.length;
  const messages: Message[] = [];
  for (let i = 0; i < turn; i++) {
    const earlier = example.responses.filter((r) => r.turn === i && r.comparison < index);
    const endorsed = earlier.find((r) => r.label === "GOOD") ?? earlier.find((r) => r.label === "OK");
    if (endorsed) {
      messages.push({
        role: "assistant",
        content: endorsed.content,
        parts: endorsed.parts,
        attributes: endorsed.attributes,
      });
    }
    const message = example.messages[i];
    if (message) messages.push(message);
  }
  return messages;
}
