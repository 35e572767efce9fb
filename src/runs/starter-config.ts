import { LATEST_RELEASE } from "../spec/index.js";
import { TOOL_VERSION } from "../version.js";
import { CONFIG_FILE_NAME } from "./config-file.js";
import { DEFAULTS } from "./options.js";

/**
 * The commented starter config file `modelspec init` writes: a small first run (a model, a judge, 20 samples),
 * and the keys most often changed commented out, with their defaults. Its first line points editors at the JSON
 * Schema shipped with this version of the package.
 */
export function starterConfig(): string {
  const schema = `https://unpkg.com/modelspec@${TOOL_VERSION}/schema/modelspec.schema.json`;
  return `# yaml-language-server: $schema=${schema}
#
# Options of \`modelspec eval\`: it reads ./${CONFIG_FILE_NAME} (or the file given with --config). Keys are the
# long flag names (\`modelspec eval --help\`); a flag given on the command line overrides the value here.
# Paths are relative to the working folder. API keys are read from the environment only, never from here.

# What to test against: a release version (fetched once with \`modelspec spec fetch\`) or a spec folder.
spec: ${LATEST_RELEASE}

# The model under test and the judge that grades it (a separate role, best a different model).
model: openai:gpt-4.1-mini
judge: openai:gpt-5
# Their servers, when not api.openai.com (else OPENAI_BASE_URL / ANTHROPIC_BASE_URL):
# base-url: http://localhost:8000/v1
# judge-base-url: http://localhost:8001/v1

# Your assistant: your app's system prompt and developer prompt, each a file (its content) or the text itself.
# Every sample's conversation starts with them: a system message, then a developer message.
# system-prompt: prompts/system.md
# developer-prompt: Answer in the voice of our support team; never promise refunds.

# Which samples: start small, then remove \`limit\` for the whole dataset. \`seed\` draws a random subset.
limit: 20
# seed: 1
# dataset: ${DEFAULTS.dataset}
# top: [stay_in_bounds]
# epochs: ${DEFAULTS.epochs}

# How the judge grades: the median of grader-samples answers, compliant at or above threshold (1-7).
# grader-samples: ${DEFAULTS.graderSamples}
# threshold: ${DEFAULTS.threshold}
# judge-context: ${DEFAULTS.judgeContext}

# CI gates: exit 1 when missed.
# fail-under: 80%
# max-errors: 2%
`;
}
