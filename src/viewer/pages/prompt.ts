/**
 * One prompt across runs: the conversation once, then every run's answer to it side by side (runs of the same
 * dataset with this sample id), each with its verdict, score and failure kind, and a link to its sample page.
 */
import type { RunRecord } from "../../runs/index.js";
import type { PromptAnswer, SampleDetail } from "../../store/index.js";
import { html, type SafeHtml } from "../html.js";
import { urls } from "../urls.js";
import { conversation } from "./conversation.js";
import { answerBlock, chip, verdictChip } from "./parts.js";

export interface PromptInput {
  run: RunRecord;
  detail: SampleDetail;
  answers: PromptAnswer[];
}

function answerCard(a: PromptAnswer, asking: string): SafeHtml {
  const body =
    a.response !== null
      ? answerBlock(a.response)
      : html`<div class="empty">No response${a.completionError ? html`: <span class="mono">${a.completionError.kind}</span>` : ""}.</div>`;
  return html`<div class="card answer-card${a.runId === asking ? " asking" : ""}" data-run="${a.runId}" data-epoch="${a.epoch}"><div class="msg-head"><a class="mono" href="${urls.sample(a.runId, a.sampleId, a.epoch)}">${a.runId}</a>${a.epoch > 1 ? html`<span class="muted">epoch ${a.epoch}</span>` : ""}${
    a.runId === asking ? chip("neutral", "this run") : ""
  }</div><div class="mono model">${a.model}</div><div class="muted">judge <span class="mono">${a.judge}</span></div><div class="verdict">${verdictChip(a.verdict, a.compliance)}${
    a.failureKind ? chip("neutral", a.failureKind) : ""
  }${a.errorKind ? html` <span class="muted mono">${a.errorKind}</span>` : ""}${
    a.sameConversation ? "" : chip("ungraded", "its conversation differs")
  }</div>${body}</div>`;
}

export function promptPage(input: PromptInput): SafeHtml {
  const { run, detail, answers } = input;
  const runs = new Set(answers.map((a) => a.runId)).size;
  return html`<p class="crumbs"><a href="/">Runs</a> › <a class="mono" href="${urls.run(run.id)}">${run.id}</a> › <a class="mono" href="${urls.sample(run.id, detail.sampleId, detail.epoch)}">${detail.sampleId}</a> › every run</p>
<h1>Prompt <span class="mono">${detail.sampleId}</span> across runs</h1>
<p class="muted">${runs} run(s) of dataset <span class="mono">${run.dataset}</span> have this sample id; newest first. Each answer is the run's own, graded by its own judge.</p>
<details class="card" open><summary>Conversation</summary>${conversation(detail.sample.input)}</details>
<h2>Answers</h2>
<div class="answers">${answers.map((a) => answerCard(a, run.id))}</div>`;
}
