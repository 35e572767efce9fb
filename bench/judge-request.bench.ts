// CPU cost of one judge request through the openai provider: the request carries the whole spec (~270 kB of
// JSON, not all ASCII) to a loopback server that answers at once, so what is measured is our side of the call.
// Run: npm run bench:judge-request   Prints CPU ms per call (user + system) over 300 calls after a warm-up.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { evalPromptSamples } from "../src/dataset/index.js";
import { buildJudgePrompt, gradeRequest, loadSpec, newBoundary } from "../src/index.js";
import { createProvider } from "../src/providers/index.js";

const spec = loadSpec(join(import.meta.dirname, "..", "..", "shared", "model-spec", "2025-12-18"));
const sample = evalPromptSamples(spec)[0];
if (!sample) throw new Error("no eval prompt");
const answer = JSON.stringify({
  id: "x",
  object: "chat.completion",
  created: 1,
  model: "judge",
  choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: "{}" } }],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
});
const server = createServer((request, response) => {
  request.resume();
  request.on("end", () => response.setHeader("content-type", "application/json").end(answer));
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const { port } = server.address() as AddressInfo;
const provider = await createProvider("openai:judge", { baseURL: `http://127.0.0.1:${port}/v1` });
const judging = {
  graderSamples: 1,
  threshold: 6,
  quorum: null,
  context: "full" as const,
  maxTokens: 1024,
  temperature: null,
  hideExamples: false,
  boundary: newBoundary(),
};
const prompt = buildJudgePrompt({
  model: spec,
  sample,
  response: "A response.",
  context: "full",
  boundary: judging.boundary,
});
const bytes = prompt.reduce((n, m) => n + Buffer.byteLength(m.content), 0);
const calls = async (n: number) => {
  for (let i = 0; i < n; i++) await provider.generate(gradeRequest(prompt, judging));
};
await calls(30);
const before = process.cpuUsage();
const start = performance.now();
await calls(300);
const cpu = process.cpuUsage(before);
console.log(
  JSON.stringify({
    promptBytes: bytes,
    calls: 300,
    wallMsPerCall: +((performance.now() - start) / 300).toFixed(2),
    cpuMsPerCall: +((cpu.user + cpu.system) / 1000 / 300).toFixed(2),
  }),
);
server.close();
