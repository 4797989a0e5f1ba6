/**
 * One knex instance per SQL sink, holding one connection: batches are written in order, one
 * at a time, so a pool would only add reordering. MySQL/MariaDB through mysql2, PostgreSQL
 * through pg, SQLite through better-sqlite3. SQLite runs in WAL mode with
 * `synchronous=NORMAL` (a crash may lose the last transactions, never corrupt the file).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import type { Logger } from '../../log.js';
import type { DatabaseTarget } from './database-url.js';
import { SQLITE_PRAGMAS } from './statements.js';

const CONNECT_TIMEOUT_MS = 10_000;
/**
 * The SQL sink prepares one INSERT per row count it sends. Full batches reuse one; partial
 * batches (low traffic, flush interval) vary, so mysql2 closes the least recently used
 * beyond this many instead of keeping up to 16,000 statements of 17 placeholders a row open
 * on the server (which caps them at max_prepared_stmt_count, 16,382 for all clients).
 */
const MAX_PREPARED_STATEMENTS = 16;

export interface Connection {
  knex: Knex;
  target: DatabaseTarget;
}

/** `log`: where knex's own warnings go (by default it prints them to stdout). */
export function connect(target: DatabaseTarget, password: string | null,
  log?: Logger): Connection {
  const config = knexConfig(target, password);
  if (log !== undefined) config.log = knexLogger(log);
  return { knex: knexFactory(config), target };
}

function knexLogger(log: Logger): Knex.Config['log'] {
  const child = log.child({ component: 'knex' });
  return {
    warn: (message: unknown) => child.warn({ detail: String(message) }, 'knex warning'),
    error: (message: unknown) => child.error({ detail: String(message) }, 'knex error'),
    deprecate: (message: unknown) => child.warn({ detail: String(message) }, 'knex deprecation'),
    debug: (message: unknown) => child.debug({ detail: String(message) }, 'knex debug'),
  };
}

/**
 * `compileSqlOnError: false`: knex puts the statement in front of a failed query's message;
 * with this it is the statement text with placeholders, never the bound values (log rows,
 * possibly sensitive), and SqlSink can cut it off again.
 */
function knexConfig(target: DatabaseTarget, password: string | null): Knex.Config {
  return { ...engineConfig(target, password), compileSqlOnError: false };
}

function engineConfig(target: DatabaseTarget, password: string | null): Knex.Config {
  if (target.engine === 'sqlite') {
    mkdirSync(dirname(target.filename), { recursive: true });
    return {
      client: 'better-sqlite3',
      connection: { filename: target.filename },
      useNullAsDefault: true,
      pool: { min: 1, max: 1, afterCreate: prepareSqlite },
    };
  }
  const common = {
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password ?? password ?? undefined,
    database: target.database,
  };
  const pool = { min: 0, max: 1, acquireTimeoutMillis: CONNECT_TIMEOUT_MS };
  if (target.engine === 'postgres') {
    return {
      client: 'pg',
      connection: { ...common, connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
        keepAlive: true, application_name: 'logharbor' },
      pool,
      acquireConnectionTimeout: CONNECT_TIMEOUT_MS,
    };
  }
  return {
    client: 'mysql2',
    connection: { ...common, charset: 'utf8mb4', dateStrings: true,
      connectTimeout: CONNECT_TIMEOUT_MS, enableKeepAlive: true,
      maxPreparedStatements: MAX_PREPARED_STATEMENTS },
    pool,
    acquireConnectionTimeout: CONNECT_TIMEOUT_MS,
  };
}

interface SqliteHandle {
  pragma(source: string): unknown;
}

function prepareSqlite(connection: SqliteHandle, done: (error: Error | null,
  connection: SqliteHandle) => void): void {
  try {
    for (const pragma of SQLITE_PRAGMAS) connection.pragma(pragma);
    done(null, connection);
  } catch (error) {
    done(error as Error, connection);
  }
}
