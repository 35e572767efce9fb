/**
 * Opening the results database: creating or upgrading its schema, read-only access (also from a folder nobody
 * may write to), and SQLite failures turned into one clear `DatabaseError` naming the file and what to do.
 */
import { accessSync, constants, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import Database from "better-sqlite3";
import { DatabaseError } from "../errors.js";
import { MIGRATIONS, SCHEMA_SQL, SCHEMA_VERSION } from "./schema.js";
import { registerSearchFunction } from "./search.js";

/** A prepared statement, its SQLite failures already turned into `DatabaseError`s. */
export interface Query {
  run(...params: unknown[]): Database.RunResult;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

export interface Connection {
  db: Database.Database;
  /** The statement for this SQL, prepared once per connection. */
  sql(text: string): Query;
  /** Runs `work` in one transaction. */
  transaction<T>(work: () => T): T;
  close(): void;
}

/** What SQLite's error codes mean for the user, by code prefix. */
const ADVICE: [prefix: string, what: string, todo: string][] = [
  [
    "SQLITE_CORRUPT",
    "the results database is damaged",
    "restore it from a copy, or start a new one with --db",
  ],
  ["SQLITE_NOTADB", "not a results database", "check the --db path"],
  [
    "SQLITE_FULL",
    "the disk is full",
    "free some space and run the same command again; finished samples are saved",
  ],
  ["SQLITE_READONLY", "the results database cannot be written here", "use --db with a writable location"],
  ["SQLITE_CANTOPEN", "cannot open the results database", "check the --db path and its folder's permissions"],
  ["SQLITE_IOERR", "cannot read or write the results database", "check the disk and the --db path"],
  ["SQLITE_BUSY", "the results database is locked by another process", "try again when it has finished"],
  ["SQLITE_LOCKED", "the results database is locked by another process", "try again when it has finished"],
];

/** A SQLite failure as a `DatabaseError` naming the file and what to do; anything else (a bug) as it is. */
function databaseError(path: string, error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  if (error instanceof DatabaseError || typeof code !== "string") return error;
  const advice = ADVICE.find(([prefix]) => code.startsWith(prefix));
  if (!advice) return error;
  return new DatabaseError(`${path}: ${advice[1]} (${(error as Error).message}); ${advice[2]}`);
}

function guard<T>(path: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw databaseError(path, error);
  }
}

/**
 * Opens (and creates or upgrades, unless `readonly`) a results database. A read-only open needs an existing
 * modelspec database; one of an older schema is upgraded once when its folder is writable. A database in a
 * folder nobody may write to (SQLite could not create its shared-memory file there) is read from a snapshot copy.
 */
export function openConnection(path: string, readonly: boolean): Connection {
  if (readonly && !existsSync(path)) {
    throw new DatabaseError(
      `${path}: cannot open results database (no such file; \`modelspec eval\` writes one)`,
    );
  }
  let snapshot: string | null = null;
  let file = path;
  if (readonly && !writable(dirname(path))) {
    snapshot = mkdtempSync(join(tmpdir(), "modelspec-readonly-"));
    file = join(snapshot, "results.db");
    copyFileSync(path, file);
    if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${file}-wal`);
  }
  const removeSnapshot = () => {
    if (snapshot) rmSync(snapshot, { recursive: true, force: true });
  };
  let db: Database.Database | undefined;
  try {
    if (!readonly) mkdirSync(dirname(path), { recursive: true });
    // A snapshot is ours to write (SQLite may need its -shm there); the user's file never is.
    db = new Database(file, { readonly: readonly && snapshot === null, fileMustExist: readonly });
    db.pragma("busy_timeout = 15000");
    registerSearchFunction(db);
    // SQLite reads the file lazily: a file that is not a database fails here, on the first read.
    db.prepare("SELECT COUNT(*) FROM sqlite_master").get();
    if (!readonly) {
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
    }
  } catch (error) {
    db?.close();
    removeSnapshot();
    throw new DatabaseError(`${path}: cannot open results database (${(error as Error).message})`);
  }
  try {
    if (!readonly) createSchema(db, path);
    else {
      const version = schemaVersion(db, path);
      if (version < SCHEMA_VERSION) {
        // Upgrade it once through a writable connection, then read as asked.
        db.close();
        removeSnapshot();
        if (snapshot) {
          throw new DatabaseError(
            `${path}: results database schema ${version} is older than this modelspec's (${SCHEMA_VERSION}) and its folder is read-only; open it once where it can be written`,
          );
        }
        openConnection(path, false).close();
        return openConnection(path, true);
      }
    }
  } catch (error) {
    if (db.open) db.close();
    removeSnapshot();
    throw error;
  }
  const statements = new Map<string, Database.Statement>();
  const open = db;
  return {
    db: open,
    sql(text) {
      let statement = statements.get(text);
      if (!statement) {
        statement = guard(path, () => open.prepare(text));
        statements.set(text, statement);
      }
      const s = statement;
      return {
        run: (...params) => guard(path, () => s.run(...params)),
        get: (...params) => guard(path, () => s.get(...params)),
        all: (...params) => guard(path, () => s.all(...params)),
      };
    },
    transaction: (work) => guard(path, () => open.transaction(work)()),
    close() {
      open.close();
      removeSnapshot();
    },
  };
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function schemaVersion(db: Database.Database, path: string): number {
  let value: unknown;
  try {
    value = (
      db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as
        | { value?: unknown }
        | undefined
    )?.value;
  } catch (error) {
    // No meta table: someone else's database. Anything else (a damaged file) is said as such.
    if (!/no such table/.test((error as Error).message)) throw databaseError(path, error);
    value = undefined;
  }
  if (value === undefined) throw new DatabaseError(`${path}: not a modelspec results database`);
  const version = Number(value);
  if (version > SCHEMA_VERSION) {
    throw new DatabaseError(
      `${path}: results database schema ${version}, this modelspec reads ${SCHEMA_VERSION}`,
    );
  }
  return version;
}

/** Creates the tables of a new database, or upgrades one of an older schema version, in one transaction. */
function createSchema(db: Database.Database, path: string): void {
  db.exec("BEGIN IMMEDIATE");
  try {
    const tables = (db.prepare("SELECT COUNT(*) AS n FROM sqlite_master").get() as { n: number }).n;
    const fresh = tables === 0;
    // Someone else's SQLite file is left alone (schemaVersion refuses it before anything is created).
    if (!fresh) schemaVersion(db, path);
    db.exec(SCHEMA_SQL);
    if (fresh) {
      db.prepare("INSERT INTO meta(key, value) VALUES ('schema_version', ?)").run(String(SCHEMA_VERSION));
    } else {
      for (let version = schemaVersion(db, path); version < SCHEMA_VERSION; version++) {
        const migration = MIGRATIONS[version];
        if (!migration)
          throw new DatabaseError(`${path}: no upgrade from results database schema ${version}`);
        db.exec(migration);
      }
      db.prepare("UPDATE meta SET value = ? WHERE key = 'schema_version'").run(String(SCHEMA_VERSION));
    }
    db.exec("COMMIT");
  } catch (error) {
    db.exec("ROLLBACK");
    throw databaseError(path, error);
  }
}
