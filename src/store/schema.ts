/**
 * The results database. Completions and grades are content-addressed caches (key = hash of everything that
 * determines the answer), shared by all runs; run_samples and verdicts link a run to them. Re-running the same
 * command finds the same keys and pays nothing twice; regrading a run reuses its completions.
 */
export const SCHEMA_VERSION = 4;

/** The tables of `modelspec generate` (schema 4): part of a new database and of the upgrade from 3. */
const GENERATION_TABLES = `
-- modelspec generate: one generation per set of parameters; each request to the generator (a task) and each
-- prompt it wrote (kept, rejected, duplicate, ...) is stored, so a re-run asks only for what is missing.
CREATE TABLE IF NOT EXISTS generations (
  id TEXT PRIMARY KEY,               -- hash of the parameters (generate/identity.ts)
  created_at TEXT NOT NULL,
  finished_at TEXT,
  status TEXT NOT NULL,              -- running | completed | interrupted
  tool_version TEXT NOT NULL,
  params TEXT NOT NULL,              -- JSON: the parameters the id hashes
  boundary TEXT NOT NULL             -- the delimiter token of the generation's prompts, reused on resume
);

CREATE TABLE IF NOT EXISTS generation_tasks (
  generation_id TEXT NOT NULL REFERENCES generations(id),
  task TEXT NOT NULL,                -- one request to the generator, e.g. section#round.request
  ok INTEGER NOT NULL,               -- 1 when an answer was usable
  invalid TEXT NOT NULL,             -- JSON array: why each unusable answer was unusable
  created_at TEXT NOT NULL,
  PRIMARY KEY (generation_id, task)
);

CREATE TABLE IF NOT EXISTS generation_items (
  generation_id TEXT NOT NULL REFERENCES generations(id),
  task TEXT NOT NULL,
  position INTEGER NOT NULL,         -- order in the task's answer
  item_id TEXT NOT NULL,             -- content hash: the id written to the output
  section_id TEXT NOT NULL,
  round INTEGER NOT NULL,
  parent_id TEXT,
  status TEXT NOT NULL,              -- pending | accepted | rejected | duplicate | failed | passed | ungraded
  reason TEXT,                       -- why rejected or duplicate (a category)
  note TEXT,                         -- the validator's words, the near-duplicate's id, the candidate's score
  record TEXT NOT NULL,              -- JSON: the output record
  PRIMARY KEY (generation_id, task, position)
);
`;

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY,
  created_at TEXT NOT NULL,
  finished_at TEXT,
  status TEXT NOT NULL,              -- running | completed | interrupted
  tool_version TEXT NOT NULL,
  spec_version TEXT,
  spec_hash TEXT NOT NULL,
  dataset TEXT NOT NULL,             -- what the samples came from, e.g. eval-prompts
  model TEXT NOT NULL,
  judge TEXT NOT NULL,
  parent_run_id TEXT,                -- set by regrade: completions come from this run
  params TEXT NOT NULL,              -- JSON: the run's configuration (runs/config.ts decodes it)
  heartbeat_at TEXT,                 -- last sign of life of the process running it (a stale one: interrupted)
  label TEXT                         -- a name people give the run (--label); not part of its id
);

CREATE TABLE IF NOT EXISTS run_samples (
  run_id TEXT NOT NULL REFERENCES runs(id),
  sample_id TEXT NOT NULL,
  epoch INTEGER NOT NULL,
  position INTEGER NOT NULL,          -- order in the dataset
  sample TEXT NOT NULL,               -- JSON Sample (input, target, section, references)
  section_id TEXT,
  top_level_id TEXT,
  authority TEXT,
  completion_key TEXT,                -- set once a completion exists
  error_kind TEXT,                    -- last completion error, when no completion could be had
  error_message TEXT,
  PRIMARY KEY (run_id, sample_id, epoch)
);
CREATE INDEX IF NOT EXISTS run_samples_position ON run_samples(run_id, position);
-- the viewer's sample table filtered by section, and its section list, without reading every row
CREATE INDEX IF NOT EXISTS run_samples_section ON run_samples(run_id, section_id, position);

CREATE TABLE IF NOT EXISTS completions (
  key TEXT PRIMARY KEY,
  provider TEXT NOT NULL,
  text TEXT NOT NULL,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cached_tokens INTEGER,
  finish_reason TEXT,
  refusal TEXT,
  created_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS grades (
  key TEXT PRIMARY KEY,
  judge TEXT NOT NULL,
  status TEXT NOT NULL,               -- ok | unparseable | refused
  compliance INTEGER,                 -- 1..7 when ok
  rationale TEXT,
  relied_on TEXT,                     -- JSON array of section ids
  failure_kind TEXT,                  -- over-refusal | too-permissive | other | none
  raw TEXT NOT NULL,                  -- the judge's output exactly as received
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cached_tokens INTEGER,
  created_at TEXT NOT NULL,
  severity TEXT,                      -- safe-completion mode: none | low | medium | high
  helpfulness TEXT                    -- safe-completion mode: refusal | indirect | partial | direct
);

CREATE TABLE IF NOT EXISTS verdicts (
  run_id TEXT NOT NULL REFERENCES runs(id),
  sample_id TEXT NOT NULL,
  epoch INTEGER NOT NULL,
  status TEXT NOT NULL,               -- graded | ungraded | error
  compliance REAL,                    -- median of the usable grader samples
  compliant INTEGER,                  -- 1/0 when graded
  grade_keys TEXT NOT NULL,           -- JSON array of grades.key, one per grader sample
  usable_grades INTEGER,              -- grader samples with a usable answer (null for an error)
  error_kind TEXT,
  error_message TEXT,
  severity TEXT,                      -- safe-completion mode, graded: the grader samples' aggregated severity
  helpfulness TEXT,                   -- … and helpfulness
  reward REAL,                        -- … and the reward they give (-1..1)
  PRIMARY KEY (run_id, sample_id, epoch)
);

${GENERATION_TABLES}`;

/** Statements that bring a database of an older schema version to this one, by the version they start from. */
export const MIGRATIONS: Record<number, string> = {
  1: `
ALTER TABLE runs ADD COLUMN heartbeat_at TEXT;
ALTER TABLE verdicts ADD COLUMN usable_grades INTEGER;
UPDATE verdicts SET usable_grades = (
  SELECT COUNT(*) FROM json_each(verdicts.grade_keys) k JOIN grades g ON g.key = k.value WHERE g.status = 'ok'
) WHERE status != 'error';
`,
  2: `
ALTER TABLE runs ADD COLUMN label TEXT;
`,
  3: `
-- safe-completion grading (the two axes and the reward); null for everything graded before it
ALTER TABLE grades ADD COLUMN severity TEXT;
ALTER TABLE grades ADD COLUMN helpfulness TEXT;
ALTER TABLE verdicts ADD COLUMN severity TEXT;
ALTER TABLE verdicts ADD COLUMN helpfulness TEXT;
ALTER TABLE verdicts ADD COLUMN reward REAL;
${GENERATION_TABLES}`,
};
