/**
 * One sample: the conversation with roles and authority, the response, every grader sample (score, status,
 * failure kind, rationale, raw output) and the spec section it tests with its GOOD/BAD examples.
 */
import { normalizeAuthority } from "../../conversation/index.js";
import { formatReward } from "../../report/index.js";
import { type RunRecord, runSpecSource } from "../../runs/index.js";
import { examplesOf as examplesOfSection, findSection, type SpecModel } from "../../spec/index.js";
import type { GradeRecord, SampleDetail } from "../../store/index.js";
import { html, type SafeHtml } from "../html.js";
import { urls } from "../urls.js";
import { conversation, response } from "./conversation.js";
import { examplesOf, sectionText } from "./example.js";
import { authorityBadge, chip, facts, textBlock, verdictChip } from "./parts.js";

function verdictOf(d: SampleDetail): string {
  if (!d.verdict) return "pending";
  if (d.verdict.status === "graded") return d.verdict.compliant ? "compliant" : "non-compliant";
  return d.verdict.status;
}

function grade(g: GradeRecord, i: number): SafeHtml {
  const status = g.status === "ok" ? chip("neutral", "ok") : chip("ungraded", g.status);
  return html`<div class="card grade" data-grade="${i + 1}"><div class="msg-head"><b>grader sample ${i + 1}</b>${status}${
    g.compliance === null ? "" : html`<span>score <b>${g.compliance}</b> / 7</span>`
  }${g.failureKind ? html`<span>failure kind: ${chip("neutral", g.failureKind)}</span>` : ""}${
    g.severity && g.helpfulness
      ? html`<span>severity <b>${g.severity}</b></span><span>helpfulness <b>${g.helpfulness}</b></span>`
      : ""
  }${
    g.reliedOn.length
      ? html`<span>relied on: ${g.reliedOn.map((id) => html`<span class="tag">${id}</span>`)}</span>`
      : ""
  }<span class="muted mono">${g.judge}</span></div>${
    g.rationale === null
      ? html`<p class="muted">No rationale.</p>`
      : html`<div class="rationale">${textBlock(g.rationale)}</div>`
  }<details><summary>raw judge output</summary>${textBlock(g.raw)}</details></div>`;
}

function references(d: SampleDetail): SafeHtml {
  const refs = d.sample.references;
  if (refs.length === 0) return html``;
  return html`<h2>Reference responses from the spec</h2>${refs.map(
    (r) =>
      html`<div class="labelled" data-label="${r.label}"><div class="msg-head">${chip(r.label)}${r.note ? html`<span>${r.note}</span>` : ""}</div>${response(r.content, "reference")}</div>`,
  )}`;
}

function specSection(d: SampleDetail, run: RunRecord, spec: SpecModel | null): SafeHtml {
  const id = d.sample.sectionId;
  if (!id) return html`<p class="muted">This sample is not linked to a spec section.</p>`;
  const section = spec ? findSection(spec, id) : undefined;
  if (!spec || !section) {
    return html`<p class="muted">The spec of this run is not available${spec ? ` (no section ${id})` : ""}; start the viewer with <code>--spec</code> to show section <span class="mono">${id}</span>.</p>`;
  }
  return html`<div class="msg-head"><a href="${urls.specSection(section.id, runSpecSource(run))}"><b>${section.title}</b></a><span class="mono muted">#${section.id}</span>${authorityBadge(
    section.authority === null ? null : normalizeAuthority(section.authority),
  )}</div>${sectionText(section, false)}<h3>Examples of this section</h3>${examplesOf(examplesOfSection(spec, section.id))}`;
}

export function samplePage(d: SampleDetail, run: RunRecord, spec: SpecModel | null): SafeHtml {
  const s = d.sample;
  const v = d.verdict;
  const verdict = verdictOf(d);
  const neighbour = (label: string, ref: SampleDetail["prev"]) =>
    ref
      ? html`<a href="${urls.sample(run.id, ref.sampleId, ref.epoch)}">${label}</a>`
      : html`<span class="disabled">${label}</span>`;
  const c = d.completion;
  const responseBlock = c
    ? response(
        c.text,
        "response",
        html`<span class="muted">finish: ${c.finishReason ?? "?"} · ${c.inputTokens} in / ${c.outputTokens} out</span>`,
      )
    : html`<div class="card empty">No response${d.completionError ? html`: <span class="mono">${d.completionError.kind}</span> ${d.completionError.message ?? ""}` : ""}.</div>`;
  return html`<p class="crumbs"><a href="/">Runs</a> › <a class="mono" href="${urls.run(run.id)}">${run.id}</a> › <a href="${urls.samples({ run: run.id })}">samples</a></p>
<h1><span class="mono">${s.id}</span> ${verdictChip(verdict, v?.compliance)}</h1>
<div class="pager">${neighbour("‹ previous sample", d.prev)}${neighbour("next sample ›", d.next)}<a class="prompt-grid" href="${urls.prompt(run.id, s.id)}">every run's answer to this prompt</a></div>
<div class="card">${facts([
    ["run", html`<a class="mono" href="${urls.run(run.id)}">${run.id}</a>`],
    ["model", html`<span class="mono">${run.model}</span>`],
    ["judge", html`<span class="mono">${run.judge}</span>`],
    ["epoch", d.epoch],
    ["position", d.position + 1],
    ["section", s.sectionId ? html`<span class="mono">${s.sectionId}</span>` : null],
    [
      "top-level section",
      s.topLevelSectionId ? html`<span class="mono">${s.topLevelSectionId}</span>` : null,
    ],
    ["section authority", s.authority ? authorityBadge(normalizeAuthority(s.authority)) : null],
    ["median score", v?.compliance ?? null],
    [
      "usable grader samples",
      v && v.usableGrades !== null ? `${v.usableGrades} of ${v.gradeKeys.length}` : null,
    ],
    ["verdict", verdictChip(verdict)],
    // Safe-completion runs only: the grader samples' aggregated axes and the reward they give.
    ["severity", v?.severity ?? null],
    ["helpfulness", v?.helpfulness ?? null],
    ["reward", v?.reward === undefined ? null : formatReward(v.reward)],
    ["error", v?.errorKind ? html`<span class="mono">${v.errorKind}</span> ${v.errorMessage ?? ""}` : null],
  ])}</div>
<h2>Conversation</h2>
<p class="muted">Each message carries its role's authority (system, developer, user); assistant and tool output and untrusted parts carry none.</p>
${conversation(s.input)}
<h2>Response</h2>
${responseBlock}
${c?.refusal ? html`<p>Refusal: ${textBlock(c.refusal)}</p>` : ""}
${s.target ? html`<h2>Rubric</h2>${textBlock(s.target)}` : ""}
<h2>Grader samples (${d.grades.length})</h2>
${d.grades.length ? d.grades.map(grade) : html`<p class="muted">Not graded.</p>`}
${references(d)}
<h2>Spec section</h2>
${specSection(d, run, spec)}`;
}
