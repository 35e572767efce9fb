/**
 * The specs the viewer can show: those named with `--spec`, those the database's runs were made with, and
 * releases already in the cache. Pages name a spec by its source string and may only pick one of these (a
 * request cannot make the viewer read an arbitrary folder). Each is compiled once, on first use.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type Results, type RunRecord, runSpecSource, specOfRun } from "../../runs/index.js";
import { compileSpecDir, RELEASES, releaseCacheDir, type SpecModel } from "../../spec/index.js";

export interface SpecChoice {
  /** What `--spec` would take: a folder or a release version. */
  source: string;
  /** Why it is offered. */
  origin: "--spec" | "run" | "cache";
}

export class SpecCatalogue {
  private readonly compiled = new Map<string, SpecModel | Error>();
  private readonly ofRun = new Map<string, SpecModel | null>();

  constructor(
    private readonly results: Results,
    private readonly explicit: readonly string[],
  ) {}

  choices(): SpecChoice[] {
    const seen = new Set<string>();
    const out: SpecChoice[] = [];
    const add = (source: string | null | undefined, origin: SpecChoice["origin"]) => {
      if (!source || seen.has(source)) return;
      seen.add(source);
      out.push({ source, origin });
    };
    for (const s of this.explicit) add(s, "--spec");
    for (const run of this.results.listRuns()) add(runSpecSource(run), "run");
    for (const r of [...RELEASES].reverse()) {
      if (existsSync(join(releaseCacheDir(r.version), "model_spec.md"))) add(r.version, "cache");
    }
    return out;
  }

  /** The default spec of the browser: the first `--spec`, else the newest run's, else the newest cached release. */
  defaultSource(): string | null {
    return this.choices()[0]?.source ?? null;
  }

  /** Compiles one of the offered specs; an Error says why it cannot be shown, null that it is not offered. */
  load(source: string): SpecModel | Error | null {
    if (!this.choices().some((c) => c.source === source)) return null;
    let model = this.compiled.get(source);
    if (!model) {
      try {
        model = compileSpecDir(source).model;
      } catch (error) {
        model = error instanceof Error ? error : new Error(String(error));
      }
      this.compiled.set(source, model);
    }
    return model;
  }

  /** The spec a run was made with (or the first `--spec` when that one cannot be found), null when none. */
  forRun(run: RunRecord): SpecModel | null {
    // Runs made from the same source with the same content share one compiled spec.
    const key = `${runSpecSource(run)}\0${run.specHash}`;
    if (!this.ofRun.has(key)) {
      const own = specOfRun(run);
      this.ofRun.set(key, own ?? (this.explicit[0] ? specOfRun(run, this.explicit[0]) : null));
    }
    return this.ofRun.get(key) ?? null;
  }
}
