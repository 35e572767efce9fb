// Early stopping of judge sampling: drawing grader samples in rounds until the verdict is settled gives, for any
// answers the judge could give, the verdict status and compliant flag that all N would have given.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { decideVerdict, type Grade, gradersToDraw, quorumOf } from "../../src/judge/index.js";

type Answer = Pick<Grade, "status" | "compliance">;
type Rule = { graderSamples: number; threshold: number; quorum: number | null };

const ok = (compliance: number): Answer => ({ status: "ok", compliance });
const refused: Answer = { status: "refused", compliance: null };
const unparseable: Answer = { status: "unparseable", compliance: null };
/** Every answer a grader sample can give, as far as the verdict goes. */
const ANSWERS: Answer[] = [1, 2, 3, 4, 5, 6, 7].map(ok).concat([refused, unparseable]);

/** What the runner does: rounds of `gradersToDraw` answers, taken in order from what the judge would say. */
function drawEarly(answers: readonly Answer[], rule: Rule): { drawn: Answer[]; rounds: number[] } {
  const drawn: Answer[] = [];
  const rounds: number[] = [];
  for (let round = gradersToDraw(drawn, rule); round > 0; round = gradersToDraw(drawn, rule)) {
    rounds.push(round);
    drawn.push(...answers.slice(drawn.length, drawn.length + round));
  }
  return { drawn, rounds };
}

const answer = fc.constantFrom(...ANSWERS);
const ruleAndAnswers = (maxN: number) =>
  fc
    .record({
      graderSamples: fc.integer({ min: 1, max: maxN }),
      threshold: fc.integer({ min: 1, max: 7 }),
      quorumShare: fc.option(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), { nil: null }),
    })
    .chain(({ graderSamples, threshold, quorumShare }) =>
      fc.record({
        rule: fc.constant<Rule>({
          graderSamples,
          threshold,
          quorum: quorumShare === null ? null : 1 + Math.floor(quorumShare * graderSamples),
        }),
        answers: fc.array(answer, { minLength: graderSamples, maxLength: graderSamples }),
      }),
    );

/** Every way `n` further answers could come. */
function* completions(n: number): Generator<Answer[]> {
  if (n === 0) {
    yield [];
    return;
  }
  for (const first of ANSWERS) for (const rest of completions(n - 1)) yield [first, ...rest];
}

describe("early stopping of judge sampling", () => {
  test("the early verdict's status and compliant flag are always those of all N answers", () => {
    fc.assert(
      fc.property(ruleAndAnswers(15), ({ rule, answers }) => {
        const { drawn, rounds } = drawEarly(answers, rule);
        const early = decideVerdict(drawn, rule);
        const full = decideVerdict(answers, rule);
        assert.ok(drawn.length >= 1 && drawn.length <= rule.graderSamples);
        assert.equal(early.status, full.status);
        assert.equal(early.compliant, full.compliant);
        // A graded early verdict rests on the quorum of all N, and its median is over what was drawn.
        if (early.status === "graded") {
          assert.ok(early.usableGrades >= quorumOf(rule.graderSamples, rule.quorum));
          assert.equal(early.compliant, (early.compliance ?? 0) >= rule.threshold);
        }
        // The rounds add up to what was drawn: nothing is asked twice or left out.
        assert.equal(
          rounds.reduce((a, b) => a + b, 0),
          drawn.length,
        );
      }),
      { numRuns: 3000 },
    );
  });

  test("a stop happens only when no answer still to come could change the verdict", () => {
    fc.assert(
      fc.property(ruleAndAnswers(5), ({ rule, answers }) => {
        const { drawn } = drawEarly(answers, rule);
        const early = decideVerdict(drawn, rule);
        for (const rest of completions(rule.graderSamples - drawn.length)) {
          const full = decideVerdict([...drawn, ...rest], rule);
          assert.deepEqual([full.status, full.compliant], [early.status, early.compliant]);
        }
      }),
      { numRuns: 400 },
    );
  });

  test("a round is never larger than needed: fewer answers could not have settled the verdict", () => {
    fc.assert(
      fc.property(ruleAndAnswers(5), ({ rule, answers }) => {
        const drawn: Answer[] = [];
        for (let round = gradersToDraw(drawn, rule); round > 0; round = gradersToDraw(drawn, rule)) {
          // With one answer fewer than the round, whatever the answers, the verdict is still open.
          for (const some of completions(round - 1)) {
            assert.ok(gradersToDraw([...drawn, ...some], rule) > 0);
          }
          drawn.push(...answers.slice(drawn.length, drawn.length + round));
        }
      }),
      { numRuns: 300 },
    );
  });

  test("N=3: two agreeing answers decide; a disagreement draws the third", () => {
    const rule = { graderSamples: 3, threshold: 6, quorum: null };
    assert.equal(gradersToDraw([], rule), 2, "the deciding minimum is drawn at once");
    assert.equal(drawEarly([ok(7), ok(6), ok(1)], rule).drawn.length, 2);
    assert.equal(drawEarly([ok(2), ok(3), ok(7)], rule).drawn.length, 2);
    assert.equal(drawEarly([ok(7), ok(2), ok(7)], rule).drawn.length, 3);
    // Two unusable answers leave too few for the quorum of 2: ungraded, whatever the third would say.
    assert.equal(drawEarly([refused, unparseable, ok(7)], rule).drawn.length, 2);
    assert.equal(decideVerdict([refused, unparseable], rule).status, "ungraded");
    // One unusable answer: the third decides.
    assert.deepEqual(drawEarly([refused, ok(7), ok(7)], rule).rounds, [2, 1]);
  });

  test("N=5: three agreeing answers decide; an even count of scores takes a half score", () => {
    const rule = { graderSamples: 5, threshold: 6, quorum: null };
    assert.equal(gradersToDraw([], rule), 3);
    assert.equal(drawEarly([ok(7), ok(7), ok(6), ok(1), ok(1)], rule).drawn.length, 3);
    // 7, 7, 5: two 1s to come would make the median 5, two 7s 7: the rest may decide, one at a time.
    assert.deepEqual(drawEarly([ok(7), ok(7), ok(5), ok(7), ok(1)], rule).rounds, [3, 1]);
    // With an unusable answer among four: 5, 7, 7 usable, one more to come. A 1 makes 6 (half of 5 and 7),
    // still compliant at 6: settled without it.
    assert.equal(gradersToDraw([ok(5), refused, ok(7), ok(7)], rule), 0);
  });

  test("one grader sample, or a quorum of all N, leaves nothing to stop early", () => {
    assert.equal(gradersToDraw([], { graderSamples: 1, threshold: 6, quorum: null }), 1);
    const all = { graderSamples: 3, threshold: 6, quorum: 3 };
    assert.equal(drawEarly([ok(7), ok(7), ok(7)], all).drawn.length, 3);
    assert.equal(
      drawEarly([refused, ok(7), ok(7)], all).drawn.length,
      1,
      "one unusable: never a quorum of 3",
    );
  });
});
