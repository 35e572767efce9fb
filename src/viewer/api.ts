/** The JSON API under /api: the same data the pages show (see views.ts), for scripts and notebooks. */
import { Hono } from "hono";
import { normalizeAuthority } from "../conversation/index.js";
import { evalPromptsOf, examplesOf } from "../spec/index.js";
import * as views from "./views.js";

export function apiRoutes(ctx: views.ViewerContext): Hono {
  const api = new Hono();
  api.get("/runs", (c) => c.json(views.runs(ctx)));
  api.get("/runs/:run", (c) => c.json(views.runOverview(ctx, c.req.param("run"), c.req.query())));
  api.get("/runs/:run/sample", (c) => {
    const { run, detail, spec, section } = views.sample(ctx, c.req.param("run"), c.req.query());
    return c.json({
      run,
      ...detail,
      section: section && spec ? { ...section, examples: examplesOf(spec, section.id) } : null,
    });
  });
  api.get("/runs/:run/prompt", (c) => {
    const { run, detail, answers } = views.prompt(ctx, c.req.param("run"), c.req.query());
    return c.json({ run, sampleId: detail.sampleId, input: detail.sample.input, answers });
  });
  api.get("/samples", (c) => c.json(views.sampleTable(ctx, c.req.query())));
  api.get("/compare", (c) => c.json(views.compare(ctx, c.req.query())));
  api.get("/compare/flips", (c) => {
    const { a, b, page } = views.flips(ctx, c.req.query());
    return c.json({ a, b, page });
  });
  api.get("/specs", (c) => c.json(ctx.specs.choices()));
  api.get("/spec", (c) => {
    const { source, spec } = views.spec(ctx, c.req.query());
    const byAuthority: Record<
      string,
      { id: string; title: string; tags: string[]; parentId: string | null }[]
    > = {};
    for (const s of spec.sections) {
      const key = s.authority === null ? "none" : normalizeAuthority(s.authority);
      byAuthority[key] = [
        ...(byAuthority[key] ?? []),
        { id: s.id, title: s.title, tags: s.tags, parentId: s.parentId },
      ];
    }
    return c.json({ source, specSource: spec.source, byAuthority });
  });
  api.get("/spec/sections/:id", (c) => {
    const { source, spec, section } = views.specSection(ctx, c.req.param("id"), c.req.query());
    return c.json({
      source,
      section,
      examples: examplesOf(spec, section.id),
      evalPrompts: evalPromptsOf(spec, section.id),
    });
  });
  api.get("/spec/diff", (c) => {
    const { from, to, diff } = views.specDiff(ctx, c.req.query());
    return c.json({ from, to, diff });
  });
  return api;
}
