import { normalizeAuthority } from "../conversation/index.js";
import { UsageError } from "../errors.js";
import { newBoundary } from "../judge/index.js";
import { checkOutputs, writeFilesAtomically } from "../output-files.js";
import { type Provider, ProviderError } from "../providers/index.js";
import {
  AdaptiveLimiter,
  askJson,
  type CallPolicy,
  callProvider,
  completionKey,
  completionRecord,
  DEFAULT_POLICY,
  type GradingPlan,
  gradeResponse,
  requestKey,
} from "../runner/index.js";
import {
  type GenerateOptions,
  GenerateOptionsSchema,
  judgingFrom,
  modelId,
  parseOptions,
  type ResolvedGenerateOptions,
  RunProviders,
} from "../runs/index.js";
import { loadSpec, type Section, type SpecModel } from "../spec/index.js";
import { type GenerationItemRecord, type GenerationItemStatus, ResultStore } from "../store/index.js";
import { TOOL_VERSION } from "../version.js";
import { NearDuplicates } from "./dedup.js";
import { appPromptMessages, generationMessages, reviewMessages, variantMessages } from "./prompts.js";
import { dedupText, type GeneratedRecord, recordMessages, recordSample, toRecord } from "./records.js";
import {
  AppGeneratorAnswerSchema,
  type GeneratedPrompt,
  GeneratorAnswerSchema,
  generatorJsonSchema,
  REVIEW_JSON_SCHEMA,
  ReviewSchema,
} from "./schemas.js";

/** Harder variants asked for per failed prompt in each adaptive round. */
const VARIANTS_PER_PARENT = 2;

/** What a generation did, counted over all its prompts (those of earlier, interrupted calls included). */
export interface GenerationSummary {
  generationId: string;
  /** The generation existed already: this call continued it. */
  resumed: boolean;
  sections: number;
  /** Requests made to the generator, and those that got no usable answer within `maxAnswers`. */
  requests: number;
  failedRequests: number;
  /** Generator answers that were not JSON, or not of the schema (each asked again within the cap). */
  invalidAnswers: number;
  /** Prompts the generator wrote. */
  generated: number;
  /** Written to the output: accepted ones (adaptive: the ones the candidate failed). */
  kept: number;
  rejected: number;
  duplicates: number;
  /** Adaptive: prompts the candidate passed (dropped), and those without a verdict (dropped). */
  passed: number;
  ungraded: number;
  /** Rejections by reason: `off-topic`, `rubric does not follow`, `no usable review`. */
  rejections: Record<string, number>;
  /** The file written, or null (no `out`, or nothing kept). */
  out: string | null;
}

export interface GenerationResult {
  summary: GenerationSummary;
  /** The kept prompts, as written to `out`. */
  records: GeneratedRecord[];
}

/** Kept in the output: accepted prompts, or in adaptive mode those the candidate failed. */
const keptStatus = (adaptive: boolean): GenerationItemStatus => (adaptive ? "failed" : "accepted");

/** Once past the validator: what counts towards a section's `n`. */
const VALIDATED: readonly GenerationItemStatus[] = ["accepted", "failed", "passed", "ungraded"];

/**
 * New eval prompts for the selected sections of the spec. For each section the generator, shown the section's
 * text, examples and eval prompts, writes conversations with a rubric and a focus; near-duplicates (of one another
 * and of the spec's own prompts and examples) are dropped, the validator (`judge`) rejects off-topic prompts and
 * rubrics that do not follow from the section, and the generator is asked again (`batch` prompts a request, up to
 * `maxRequests` requests) until `n` are kept. With `adaptive`, the candidate (`against`) answers the kept prompts,
 * the judge grades them, the ones it fails are kept and the generator writes harder variants of them, for `rounds`
 * rounds. Everything is stored in the results database: the same call after a stop asks only for what is missing.
 * See docs/generate.md.
 *
 * @example
 * const { summary, records } = await generatePrompts({
 *   spec: "2025-12-18", section: ["letter_and_spirit"], n: 5,
 *   generator: "openai:gpt-5", judge: "openai:gpt-5-mini", out: "new-prompts.jsonl",
 * });
 * console.log(summary.kept, summary.rejected, summary.duplicates, records[0]?.target);
 */
export async function generatePrompts(options: GenerateOptions): Promise<GenerationResult> {
  const o = parseOptions(GenerateOptionsSchema, options);
  if (o.adaptive && (o.against === undefined || o.judge === undefined)) {
    throw new UsageError("--adaptive needs a candidate (--against <provider:model>) and a --judge");
  }
  if (!o.adaptive && o.against !== undefined) throw new UsageError("--against is for --adaptive rounds");
  const spec = typeof o.spec === "string" ? loadSpec(o.spec) : o.spec;
  const sections = selectSections(spec, o);
  if (o.out !== undefined) checkOutputs([o.out], o.force, "--out");
  const generatorId = modelId(o.generator);
  const judgeId = o.judge === undefined ? null : modelId(o.judge);
  const judging = o.adaptive && judgeId ? judgingFrom(o, judgeId, false) : null;
  const params = {
    kind: "generation",
    specHash: spec.source.contentHash,
    sections: sections.map((s) => s.id),
    generator: generatorId,
    maxTokens: o.maxTokens,
    temperature: o.temperature ?? null,
    n: o.n,
    batch: o.batch,
    maxRequests: maxRequests(o),
    maxAnswers: o.maxAnswers,
    similarity: o.similarity,
    appPrompt: o.appPrompt ?? null,
    validator:
      judgeId === null
        ? null
        : { judge: judgeId, maxTokens: o.judgeMaxTokens, temperature: o.judgeTemperature ?? null },
    adaptive:
      o.adaptive && o.against !== undefined
        ? { against: modelId(o.against), rounds: o.rounds, maxTokens: o.againstMaxTokens, judging }
        : null,
  };
  const generationId = `gen-${requestKey(params).slice(0, 12)}`;
  const store = ResultStore.open(o.db);
  const providers = new RunProviders();
  const signal = o.signal ?? new AbortController().signal;
  try {
    const { generation, resumed } = store.startGeneration({
      id: generationId,
      toolVersion: TOOL_VERSION,
      params,
      boundary: newBoundary(),
    });
    const local = { threads: o.threads, contextSize: o.contextSize, maxResponseBytes: o.maxResponseBytes };
    const generator = await providers.get(o.generator, { baseURL: o.generatorBaseUrl, ...local });
    const judge = o.judge === undefined ? null : await providers.judge({ ...o, judge: o.judge });
    const candidate =
      o.against === undefined ? null : await providers.get(o.against, { baseURL: o.baseUrl, ...local });
    const policy: CallPolicy = { ...DEFAULT_POLICY, maxAttempts: o.maxAttempts, timeoutMs: o.timeout * 1000 };
    const judgeLimiter = new AdaptiveLimiter(o.judgeConcurrency);
    const work = new Generation(store, generationId, generation.boundary, spec, o, {
      generator: { provider: generator, limiter: new AdaptiveLimiter(o.concurrency) },
      judge: judge ? { provider: judge, limiter: judgeLimiter } : null,
      candidate: candidate ? { provider: candidate, limiter: new AdaptiveLimiter(o.concurrency) } : null,
      grading:
        judge && judging
          ? {
              store,
              spec,
              judge: { provider: judge, limiter: judgeLimiter },
              judging: { ...judging, boundary: generation.boundary },
              policy,
              signal,
            }
          : null,
      policy,
      signal,
    });
    // Every section settles before the store closes: a failure in one leaves the others' work stored.
    const settled = await Promise.allSettled(sections.map((section) => work.section(section)));
    const failure = settled.find((s) => s.status === "rejected");
    if (failure) {
      store.finishGeneration(generationId, "interrupted");
      throw failure.reason;
    }
    store.finishGeneration(generationId, "completed");
    const order = new Map(sections.map((s, i) => [s.id, i]));
    const items = store.generationItems(generationId);
    const kept = items
      .filter((i) => i.status === keptStatus(o.adaptive))
      .sort((a, b) => (order.get(a.sectionId) ?? 0) - (order.get(b.sectionId) ?? 0))
      .map((i) => i.record as GeneratedRecord);
    let out: string | null = null;
    if (o.out !== undefined && kept.length > 0) {
      checkOutputs([o.out], o.force, "--out");
      writeFilesAtomically(
        [{ path: o.out, text: kept.map((r) => `${JSON.stringify(r)}\n`).join("") }],
        "--out",
      );
      out = o.out;
    }
    return { summary: summarize(store, generationId, resumed, sections.length, o, out), records: kept };
  } finally {
    store.close();
    await providers.close();
  }
}

/** Requests per section at most: as given, or the batches `n` needs and two more to make up for losses. */
const maxRequests = (o: ResolvedGenerateOptions) => o.maxRequests ?? Math.ceil(o.n / o.batch) + 2;

/**
 * The sections to write prompts for: those that pass every filter given (`section`, `top`, `authority`, as eval's
 * filters combine) and have text of their own. An unknown id, or no selection at all, is a UsageError.
 */
function selectSections(spec: SpecModel, o: ResolvedGenerateOptions): Section[] {
  for (const id of o.section) {
    if (!spec.sections.some((s) => s.id === id))
      throw new UsageError(`--section ${id}: no such section in the spec`);
  }
  for (const id of o.top) {
    if (!spec.sections.some((s) => s.id === id && s.topLevelId === id))
      throw new UsageError(`--top ${id}: no such top-level section in the spec`);
  }
  if (o.section.length + o.top.length + o.authority.length === 0) {
    throw new UsageError("nothing selected: give --section <id>, --top <id> or --authority <level>");
  }
  const picked = spec.sections.filter(
    (s) =>
      s.body.trim() !== "" &&
      (o.section.length === 0 || o.section.includes(s.id)) &&
      (o.top.length === 0 || o.top.includes(s.topLevelId)) &&
      (o.authority.length === 0 ||
        (s.authority !== null && o.authority.includes(normalizeAuthority(s.authority)))),
  );
  if (picked.length === 0) throw new UsageError("no section with text matches the selection");
  return picked;
}

interface Role {
  provider: Provider;
  limiter: AdaptiveLimiter;
}

interface Roles {
  generator: Role;
  judge: Role | null;
  candidate: Role | null;
  grading: GradingPlan | null;
  policy: CallPolicy;
  signal: AbortSignal;
}

/** One generation at work: its stored prompts and tasks, the near-duplicate index, and the models it asks. */
class Generation {
  private readonly items: GenerationItemRecord[];
  private readonly done: Set<string>;
  private readonly dedup: NearDuplicates;
  private readonly app: boolean;

  constructor(
    private readonly store: ResultStore,
    private readonly id: string,
    private readonly token: string,
    private readonly spec: SpecModel,
    private readonly o: ResolvedGenerateOptions,
    private readonly roles: Roles,
  ) {
    this.items = store.generationItems(id);
    this.done = new Set(store.generationTasks(id).map((t) => t.task));
    this.app = o.appPrompt !== undefined;
    this.dedup = new NearDuplicates(o.similarity);
    // The spec's own prompts and examples first: a generated prompt near one of them adds nothing.
    for (const p of spec.evalPrompts) {
      this.dedup.add(`prompt:${p.id}`, p.messages.map((m) => m.content).join("\n"));
    }
    for (const e of spec.examples) {
      this.dedup.add(`example:${e.id}`, e.messages.map((m) => m.content).join("\n"));
    }
    for (const item of this.items) {
      if (item.status !== "duplicate" && item.status !== "rejected") {
        this.dedup.add(item.itemId, dedupText(item.record as GeneratedRecord, this.app));
      }
    }
  }

  /** Round 0 until `n` are validated (or `maxRequests` asked), then the adaptive rounds. */
  async section(section: Section): Promise<void> {
    const { o } = this;
    for (let k = 0; k < maxRequests(o); k++) {
      const validated = this.of(section.id, 0).filter((i) => VALIDATED.includes(i.status)).length;
      if (validated >= o.n) break;
      const task = `${section.id}#0.${k}`;
      if (!this.done.has(task)) {
        const count = Math.min(o.batch, o.n - validated);
        const messages =
          o.appPrompt === undefined
            ? generationMessages(this.spec, section, count, this.token)
            : appPromptMessages(this.spec, section, o.appPrompt, count, this.token);
        await this.ask(task, messages, section, { round: 0, parent: null, limit: count });
      }
      await this.validate(task, section);
    }
    if (!o.adaptive) return;
    await this.grade(section, 0);
    for (let round = 1; round <= o.rounds; round++) {
      const parents = this.of(section.id, round - 1).filter((i) => i.status === "failed");
      await Promise.all(
        parents.map(async (parent) => {
          const task = `${section.id}#${round}.${parent.itemId}`;
          if (!this.done.has(task)) {
            const record = parent.record as GeneratedRecord;
            const response = await this.answer(record);
            const messages = variantMessages(
              this.spec,
              section,
              { input: recordMessages(record), target: record.target },
              "text" in response ? response.text : "",
              VARIANTS_PER_PARENT,
              this.token,
              o.appPrompt,
            );
            await this.ask(task, messages, section, {
              round,
              parent: parent.itemId,
              limit: VARIANTS_PER_PARENT,
            });
          }
          await this.validate(task, section);
        }),
      );
      await this.grade(section, round);
    }
  }

  private of(sectionId: string, round: number): GenerationItemRecord[] {
    return this.items.filter((i) => i.sectionId === sectionId && i.round === round);
  }

  /** One request to the generator: its prompts are checked for near-duplicates and stored with the task. */
  private async ask(
    task: string,
    messages: ReturnType<typeof generationMessages>,
    section: Section,
    origin: { round: number; parent: string | null; limit: number },
  ): Promise<void> {
    const { generator, policy, signal } = this.roles;
    const answer = await askJson(
      generator.provider,
      generator.limiter,
      {
        messages,
        maxTokens: this.o.maxTokens,
        ...(this.o.temperature === undefined ? {} : { temperature: this.o.temperature }),
        responseSchema: { name: "generated_prompts", schema: generatorJsonSchema(this.app) },
      },
      this.app ? AppGeneratorAnswerSchema : GeneratorAnswerSchema,
      { maxAnswers: this.o.maxAnswers, policy, signal },
    );
    const prompts: GeneratedPrompt[] = answer.ok ? answer.value.prompts.slice(0, origin.limit) : [];
    const items = prompts.map((prompt, position): GenerationItemRecord => {
      const record = toRecord(prompt, section, {
        generator: generator.provider.id,
        round: origin.round,
        parent: origin.parent,
        appPrompt: this.o.appPrompt,
      });
      const text = dedupText(record, this.app);
      const near = this.dedup.nearest(text);
      if (!near) this.dedup.add(record.id, text);
      return {
        task,
        position,
        itemId: record.id,
        sectionId: section.id,
        round: origin.round,
        parentId: origin.parent,
        status: near ? "duplicate" : "pending",
        reason: near ? "near-duplicate" : null,
        note: near ? `${near.id} (similarity ${near.similarity.toFixed(2)})` : null,
        record,
      };
    });
    this.store.putGenerationTask(this.id, { task, ok: answer.ok, invalid: answer.invalid }, items);
    this.items.push(...items);
    this.done.add(task);
  }

  private update(
    item: GenerationItemRecord,
    change: Pick<GenerationItemRecord, "status" | "reason" | "note">,
  ) {
    Object.assign(item, change);
    this.store.setGenerationItemStatus(this.id, item);
    if (change.status === "rejected") this.dedup.remove(item.itemId);
  }

  /** The validator's verdict on each pending prompt of a task; without a validator every one is accepted. */
  private async validate(task: string, section: Section): Promise<void> {
    const pending = this.items.filter((i) => i.task === task && i.status === "pending");
    const { judge, policy, signal } = this.roles;
    await Promise.all(
      pending.map(async (item) => {
        if (!judge) return this.update(item, { status: "accepted", reason: null, note: null });
        const record = item.record as GeneratedRecord;
        const review = await askJson(
          judge.provider,
          judge.limiter,
          {
            messages: reviewMessages(
              section,
              { input: recordMessages(record), target: record.target },
              this.token,
            ),
            maxTokens: this.o.judgeMaxTokens,
            ...(this.o.judgeTemperature === undefined ? {} : { temperature: this.o.judgeTemperature }),
            responseSchema: { name: "prompt_review", schema: REVIEW_JSON_SCHEMA },
          },
          ReviewSchema,
          { maxAnswers: this.o.maxAnswers, policy, signal },
        );
        if (!review.ok) {
          return this.update(item, {
            status: "rejected",
            reason: "no usable review",
            note: review.invalid.at(-1) ?? null,
          });
        }
        const { on_topic, rubric_follows, reason } = review.value;
        if (on_topic && rubric_follows)
          return this.update(item, { status: "accepted", reason: null, note: reason });
        this.update(item, {
          status: "rejected",
          reason: on_topic ? "rubric does not follow" : "off-topic",
          note: reason,
        });
      }),
    );
  }

  /** Adaptive: the candidate answers each accepted prompt of the round, the judge grades it against its rubric. */
  private async grade(section: Section, round: number): Promise<void> {
    const plan = this.roles.grading;
    if (!plan) return;
    const accepted = this.of(section.id, round).filter((i) => i.status === "accepted");
    await Promise.all(
      accepted.map(async (item) => {
        const record = item.record as GeneratedRecord;
        const response = await this.answer(record);
        if ("error" in response) {
          return this.update(item, { status: "ungraded", reason: "candidate error", note: response.error });
        }
        const outcome = await gradeResponse(plan, recordSample(record, section), response.text);
        if (outcome.status === "error" || outcome.verdict.status !== "graded") {
          const why =
            outcome.status === "error" ? outcome.error.kind : (outcome.verdict.reason ?? "ungraded");
          return this.update(item, { status: "ungraded", reason: "judge", note: why });
        }
        const score = `compliance ${outcome.verdict.compliance}`;
        this.update(item, {
          status: outcome.verdict.compliant ? "passed" : "failed",
          reason: null,
          note: score,
        });
      }),
    );
  }

  /** The candidate's answer to a prompt, from the completion cache (shared with eval) or asked for once. */
  private async answer(record: GeneratedRecord): Promise<{ text: string } | { error: string }> {
    const role = this.roles.candidate;
    if (!role) return { error: "no candidate" };
    const messages = recordMessages(record);
    const request = { messages, maxTokens: this.o.againstMaxTokens };
    const key = completionKey({
      ...request,
      provider: role.provider.id,
      temperature: undefined,
      seed: undefined,
      epoch: 1,
    });
    const cached = this.store.getCompletion(key);
    if (cached) return cached;
    try {
      const { result } = await callProvider(
        role.provider,
        role.limiter,
        request,
        this.roles.policy,
        this.roles.signal,
      );
      this.store.putCompletion(completionRecord(key, role.provider.id, result));
      return { text: result.text };
    } catch (error) {
      if (!(error instanceof ProviderError) || error.kind === "aborted") throw error;
      return { error: `${error.kind}: ${error.message}` };
    }
  }
}

function summarize(
  store: ResultStore,
  generationId: string,
  resumed: boolean,
  sections: number,
  o: ResolvedGenerateOptions,
  out: string | null,
): GenerationSummary {
  const items = store.generationItems(generationId);
  const tasks = store.generationTasks(generationId);
  const count = (status: GenerationItemStatus) => items.filter((i) => i.status === status).length;
  const rejections: Record<string, number> = {};
  for (const item of items) {
    if (item.status === "rejected") {
      const reason = item.reason ?? "rejected";
      rejections[reason] = (rejections[reason] ?? 0) + 1;
    }
  }
  return {
    generationId,
    resumed,
    sections,
    requests: tasks.length,
    failedRequests: tasks.filter((t) => !t.ok).length,
    invalidAnswers: tasks.reduce((sum, t) => sum + t.invalid.length, 0),
    generated: items.length,
    kept: count(keptStatus(o.adaptive)),
    rejected: count("rejected"),
    duplicates: count("duplicate"),
    passed: count("passed"),
    ungraded: count("ungraded"),
    rejections,
    out,
  };
}
