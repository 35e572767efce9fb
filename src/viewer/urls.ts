/** The viewer's page addresses. Every data value in a URL is percent-encoded here and nowhere else. */
import { query } from "./html.js";

const seg = encodeURIComponent;

export const urls = {
  runs: () => "/",
  run: (runId: string) => `/runs/${seg(runId)}`,
  samples: (
    params: {
      run?: string;
      model?: string;
      section?: string;
      verdict?: string;
      q?: string;
      sort?: string;
      limit?: number;
    } = {},
  ) => `/samples${query(params)}`,
  sample: (runId: string, sampleId: string, epoch: number) =>
    `/runs/${seg(runId)}/sample${query({ id: sampleId, epoch })}`,
  prompt: (runId: string, sampleId: string) => `/runs/${seg(runId)}/prompt${query({ id: sampleId })}`,
  compare: (a?: string, b?: string) => `/compare${query({ a, b })}`,
  flips: (params: {
    a: string;
    b: string;
    only?: "a" | "b";
    section?: string;
    limit?: number;
    after?: string;
    before?: string;
  }) => `/compare/flips${query(params)}`,
  spec: (source?: string | null) => `/spec${query({ spec: source })}`,
  specSection: (id: string, source?: string | null) => `/spec/section/${seg(id)}${query({ spec: source })}`,
  specDiff: (from?: string, to?: string) => `/spec/diff${query({ from, to })}`,
};
