/** The viewer's stylesheet, inlined in every page and in the HTML report (no external requests). */
export const STYLE = `
:root { color-scheme: light; --fg: #1f2937; --muted: #6b7280; --line: #e5e7eb; --bg: #f6f7f9; --card: #fff;
  --accent: #3b6ea5; --good: #1f8a5b; --bad: #c2413b; --warn: #b7791f; --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
header.top { background: #1f2937; color: #fff; padding: 0 24px; display: flex; align-items: center; gap: 24px; height: 44px; }
header.top .brand { font-weight: 600; letter-spacing: .2px; color: #fff; }
header.top nav a { color: #cbd5e1; margin-right: 16px; }
header.top nav a.active, header.top nav a:hover { color: #fff; text-decoration: none; }
header.top .db { margin-left: auto; color: #94a3b8; font-size: 12px; font-family: var(--mono); }
main { max-width: 1280px; margin: 0 auto; padding: 20px 24px 48px; }
h1 { font-size: 20px; margin: 4px 0 12px; }
h2 { font-size: 16px; margin: 28px 0 10px; }
h3 { font-size: 14px; margin: 18px 0 8px; }
h1 .mono { font-size: 18px; }
.labelled { margin: 10px 0 4px; }
.crumbs { color: var(--muted); font-size: 13px; }
.crumbs a { color: var(--muted); }
.muted { color: var(--muted); }
.mono, code { font-family: var(--mono); font-size: 12.5px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; margin: 12px 0; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 8px 20px; margin: 0; }
.facts div { min-width: 0; }
.facts dt { color: var(--muted); font-size: 12px; }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.headline { display: flex; gap: 28px; flex-wrap: wrap; align-items: baseline; }
.headline .big { font-size: 30px; font-weight: 650; }
.headline .stat { font-size: 13px; color: var(--muted); }
.headline .stat b { color: var(--fg); font-size: 16px; }
table { border-collapse: collapse; width: 100%; background: var(--card); font-size: 13px; }
th, td { text-align: left; padding: 6px 9px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f1f3f6; font-weight: 600; position: sticky; top: 0; }
td.nowrap { white-space: nowrap; }
/* Excerpts of prompts and responses: wrapped anywhere (a URL has no spaces), never squeezed to a word a line. */
td.prompt, td.response, td.rationale { min-width: 16em; overflow-wrap: anywhere; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr:hover td { background: #fafbfc; }
.table-wrap { border: 1px solid var(--line); border-radius: 8px; overflow: auto; }
.table-wrap table { border: 0; }
.chip { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; white-space: nowrap; border: 1px solid transparent; }
.chip.compliant { background: #e6f4ed; color: var(--good); }
.chip.non-compliant { background: #fbeaea; color: var(--bad); }
.chip.ungraded { background: #fdf3e1; color: var(--warn); }
.chip.error { background: #f3e8ff; color: #7e22ce; }
.chip.pending, .chip.neutral { background: #eef0f3; color: var(--muted); }
.chip.running { background: #e0ecfa; color: var(--accent); }
.chip.completed { background: #e6f4ed; color: var(--good); }
.chip.interrupted { background: #fdf3e1; color: var(--warn); }
.chip.GOOD { background: #e6f4ed; color: var(--good); }
.chip.BAD { background: #fbeaea; color: var(--bad); }
.chip.OK { background: #eef0f3; color: var(--muted); }
.role { font-weight: 600; text-transform: lowercase; }
.auth { display: inline-block; font-size: 11.5px; padding: 0 7px; border-radius: 9px; border: 1px solid var(--line); color: var(--muted); background: #fff; }
.auth.root, .auth.platform { border-color: #7c3aed; color: #6d28d9; }
.auth.system { border-color: #9333ea; color: #7e22ce; }
.auth.developer { border-color: #2563eb; color: #1d4ed8; }
.auth.user { border-color: #059669; color: #047857; }
.auth.guideline { border-color: #d97706; color: #b45309; }
.auth.none { border-style: dashed; }
.msg { border: 1px solid var(--line); border-left: 4px solid #cbd5e1; border-radius: 6px; background: var(--card); margin: 8px 0; padding: 8px 12px; }
.msg.system { border-left-color: #9333ea; } .msg.developer { border-left-color: #2563eb; } .msg.user { border-left-color: #059669; }
.msg.assistant { border-left-color: #64748b; background: #fbfbfc; } .msg.tool { border-left-color: #d97706; background: #fffdf7; }
.msg.response { border-left-color: var(--accent); background: #f7faff; }
.msg-head { display: flex; gap: 8px; align-items: center; font-size: 12.5px; margin-bottom: 4px; flex-wrap: wrap; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; font-family: var(--mono); font-size: 12.5px; margin: 0; }
.prose { white-space: pre-wrap; overflow-wrap: anywhere; font: inherit; line-height: 1.55; max-width: 100ch; margin: 6px 0; }
.part { margin: 4px 0; }
.part.untrusted { border: 1.5px dashed #d97706; background: #fff8eb; border-radius: 6px; padding: 6px 8px; }
.part.settings { border: 1px solid #cbd5e1; background: #f3f4f6; border-radius: 6px; padding: 6px 8px; }
.part-label { font-size: 11.5px; font-weight: 600; color: #b45309; margin-bottom: 2px; }
.part.settings .part-label { color: var(--muted); }
details > summary { cursor: pointer; color: var(--accent); font-size: 13px; }
details pre { margin-top: 6px; }
form.filters { display: flex; gap: 10px; flex-wrap: wrap; align-items: end; margin: 8px 0 12px; }
form.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); gap: 2px; }
select, input, button { font: inherit; font-size: 13px; padding: 4px 8px; border: 1px solid #cbd5e1; border-radius: 6px; background: #fff; color: var(--fg); }
button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; }
.pager { display: flex; gap: 14px; align-items: center; margin: 10px 0; font-size: 13px; }
.pager .disabled { color: #b6bcc6; }
form.filters label.search { flex: 1 1 100%; }
form.filters label.search input { max-width: 42em; }
th a.sort { color: inherit; }
th[aria-sort] a.sort { color: var(--accent); }
mark { background: #fde68a; color: inherit; border-radius: 2px; }
figure.chart { margin: 10px 0 18px; background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; overflow-x: auto; }
figure.chart figcaption { font-weight: 600; font-size: 13px; margin-bottom: 4px; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
svg .bar { fill: #5b8cc0; }
svg .bar.up { fill: #3aa676; }
svg .bar.down, svg .bar.non-compliant { fill: #d0605a; }
svg .bar.error { fill: #a56fd6; }
svg .bar.ungraded { fill: #d69e2e; }
svg .whisker line { stroke: #1f2937; stroke-width: 1.3; }
svg .grid { stroke: #edf0f3; }
svg .zero { stroke: #9ca3af; }
svg .tick { fill: var(--muted); font-size: 11px; }
svg .label { fill: var(--fg); font-size: 12px; }
svg .value { fill: #374151; font-size: 12px; font-variant-numeric: tabular-nums; }
svg .none { fill: #9ca3af; font-size: 12px; font-style: italic; }
svg .hit { fill: transparent; }
svg a:hover .hit { fill: #eef3fa; }
svg a:hover .label { fill: var(--accent); }
.answers { display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); gap: 12px; align-items: start; }
.answer-card { margin: 0; min-width: 0; }
.answer-card.asking { border-color: var(--accent); }
.answer-card .verdict { display: flex; gap: 6px; flex-wrap: wrap; align-items: center; margin: 6px 0; }
.answer-card .note, .flip-side .note { font-size: 12px; margin-top: 4px; }
.answer { max-height: 26em; overflow: auto; border-top: 1px solid var(--line); padding-top: 6px; }
.flip .prompt { margin: 6px 0 10px; overflow-wrap: anywhere; }
.flip .cols { gap: 12px; }
.flip-side { min-width: 0; }
.cols.scores { align-items: start; }
.cols { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.group h2 .n { color: var(--muted); font-weight: 400; font-size: 13px; }
ul.sections { list-style: none; padding: 0; margin: 0; columns: 2; column-gap: 28px; }
ul.sections li { padding: 3px 0; break-inside: avoid; }
.tag { font-size: 11px; color: var(--muted); border: 1px solid var(--line); border-radius: 4px; padding: 0 4px; margin-left: 4px; }
.diff-add { color: var(--good); } .diff-del { color: var(--bad); }
.word-diff { white-space: pre-wrap; font-size: 13px; margin: 6px 0; } .word-diff ins { background: #e6f4ed; color: var(--good); text-decoration: none; } .word-diff del { background: #fbeaea; color: var(--bad); }
.empty { padding: 18px; text-align: center; color: var(--muted); }
footer { color: var(--muted); font-size: 12px; margin-top: 36px; }
@media (max-width: 800px) { .cols { grid-template-columns: 1fr; } ul.sections { columns: 1; } }
@media print { body { background: #fff; } header.top { display: none; } .card, figure.chart, .table-wrap { break-inside: avoid; } }
`;
