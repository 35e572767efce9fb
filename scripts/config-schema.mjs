// Writes schema/modelspec.schema.json, the JSON Schema editors use for modelspec.yaml, from the zod schema that
// checks the file (src/runs/config-file.ts), formatted as biome formats JSON. Run it after changing the keys:
// `npm run schema` (test/runs/config-file.test.ts fails while the committed file says something else).
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { configJsonSchema } from "../src/runs/index.ts";

const target = fileURLToPath(new URL("../schema/modelspec.schema.json", import.meta.url));
writeFileSync(target, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
const format = spawnSync("npx", ["biome", "format", "--write", target], { stdio: "inherit" });
if (format.status !== 0) process.exit(format.status ?? 1);
console.log(`wrote ${target}`);
