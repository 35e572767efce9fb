/**
 * The viewer's HTTP surface: security headers on every response, a Host check against DNS rebinding, the HTML
 * pages and the JSON API. Read-only: only GET (and HEAD) exist.
 */
import { type Context, Hono } from "hono";
import { apiRoutes } from "./api.js";
import type { SafeHtml } from "./html.js";
import { CONTENT_SECURITY_POLICY, type NavItem, page } from "./layout.js";
import { comparePage } from "./pages/compare.js";
import { errorPage } from "./pages/error.js";
import { flipsPage } from "./pages/flips.js";
import { overview } from "./pages/overview.js";
import { promptPage } from "./pages/prompt.js";
import { runsPage } from "./pages/runs.js";
import { samplePage } from "./pages/sample.js";
import { samplesPage } from "./pages/samples.js";
import { specPage } from "./pages/spec.js";
import { specDiffPage } from "./pages/spec-diff.js";
import { specSectionPage } from "./pages/spec-section.js";
import * as views from "./views.js";

const SECURITY_HEADERS: Record<string, string> = {
  "Content-Security-Policy": CONTENT_SECURITY_POLICY,
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Cache-Control": "no-store",
};

export interface AppOptions {
  /** Host names (without port) a request may name; null accepts any (the viewer listens beyond loopback). */
  allowedHosts: ReadonlySet<string> | null;
}

function hostName(header: string | undefined): string {
  if (!header) return "";
  if (header.startsWith("[")) return header.slice(0, header.indexOf("]") + 1);
  return header.replace(/:\d+$/, "");
}

export function createViewerApp(ctx: views.ViewerContext, options: AppOptions): Hono {
  const app = new Hono();
  const render = (c: Context, title: string, active: NavItem | undefined, body: SafeHtml, status = 200) =>
    c.html(page({ title, active, body, note: ctx.db }), status as 200);
  const isApi = (c: Context) => c.req.path === "/api" || c.req.path.startsWith("/api/");
  // Error pages leave out the database path that other pages show: they also answer requests the viewer refuses.
  const fail = (c: Context, status: number, message: string) =>
    isApi(c)
      ? c.json({ error: message }, status as 404)
      : c.html(page({ title: "Error", body: errorPage(status, message) }), status as 404);

  // First, so that every response gets the headers: pages, the API, and every refusal and error below.
  app.use("*", async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
  });
  app.use("*", async (c, next) => {
    if (options.allowedHosts && !options.allowedHosts.has(hostName(c.req.header("host")).toLowerCase())) {
      // A page on another site that rebinds its name to 127.0.0.1 must not read the results.
      return fail(c, 421, "This viewer only answers requests addressed to localhost.");
    }
    if (c.req.method !== "GET" && c.req.method !== "HEAD") return fail(c, 405, "The viewer is read-only.");
    await next();
  });

  app.onError((error, c) => {
    if (error instanceof views.NotFound) return fail(c, 404, error.message);
    // A bug or a database that broke while the viewer runs. Its message may name files (SQLite and fs errors
    // do), so it goes to the console of whoever started the viewer, not to the browser.
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`modelspec: viewer: internal error on ${c.req.method} ${c.req.path}: ${message}\n`);
    if (process.env.MODELSPEC_DEBUG) process.stderr.write(`${(error as Error).stack ?? ""}\n`);
    return fail(c, 500, "The viewer hit an internal error; its console says more.");
  });
  app.notFound((c) => fail(c, 404, `Nothing at ${c.req.path}.`));

  app.route("/api", apiRoutes(ctx));

  app.get("/", (c) => render(c, "Runs", "runs", runsPage(views.runs(ctx), ctx.db)));
  app.get("/runs/:run", (c) => {
    const data = views.runOverview(ctx, c.req.param("run"), c.req.query());
    return render(c, `Run ${data.run.id}`, "runs", overview({ ...data, links: true }));
  });
  app.get("/runs/:run/sample", (c) => {
    const v = views.sample(ctx, c.req.param("run"), c.req.query());
    return render(c, `Sample ${v.detail.sampleId}`, "samples", samplePage(v.detail, v.run, v.spec));
  });
  app.get("/runs/:run/prompt", (c) => {
    const v = views.prompt(ctx, c.req.param("run"), c.req.query());
    return render(c, `Prompt ${v.detail.sampleId} across runs`, "samples", promptPage(v));
  });
  app.get("/samples", (c) => {
    const t = views.sampleTable(ctx, c.req.query());
    return render(c, "Samples", "samples", samplesPage(t.page, t));
  });
  app.get("/compare", (c) => render(c, "Compare", "compare", comparePage(views.compare(ctx, c.req.query()))));
  app.get("/compare/flips", (c) =>
    render(c, "Samples the runs disagree on", "compare", flipsPage(views.flips(ctx, c.req.query()))),
  );
  app.get("/spec", (c) => {
    const v = views.spec(ctx, c.req.query());
    return render(
      c,
      `Spec ${v.spec.source.version ?? v.source}`,
      "spec",
      specPage(v.choices, v.source, v.spec),
    );
  });
  app.get("/spec/section/:id", (c) => {
    const v = views.specSection(ctx, c.req.param("id"), c.req.query());
    return render(c, v.section.title, "spec", specSectionPage(v.spec, v.source, v.section));
  });
  app.get("/spec/diff", (c) => {
    const v = views.specDiff(ctx, c.req.query());
    return render(c, "Spec diff", "spec", specDiffPage(v.choices, v.from, v.to, v.diff, v.textChanges));
  });
  return app;
}
