/**
 * The SQL sink: a connection, the schema, and one operation, `commit`: rows as multi-row
 * INSERTs (into MySQL/MariaDB as LOAD DATA LOCAL INFILE) plus the instance's checkpoint, all
 * in one transaction. It keeps no rows and makes no retry decisions; SqlRunner does
 * (DESIGN.md §1: sinks only say what happened).
 */
import type { Readable } from 'node:stream';
import type { Knex } from 'knex';
import type { Logger } from '../../log.js';
import { FatalSinkError } from '../../pipeline/sink-runner.js';
import { ROW_COLUMNS, type LogRow } from '../row.js';
import { connect, type Connection } from './database.js';
import type { DatabaseTarget } from './database-url.js';
import { classifySqlError } from './error-class.js';
import { migrateLatest, schemaState } from './migrations.js';
import {
  encodeLoadFile, isLoadRefused, LOAD_STATEMENT, loadedCleanly, loadStream, type LoadResult,
} from './mysql-load.js';
import { insertStatement } from './statements.js';
import { SqliteWriter } from './sqlite-writer.js';

export type MigratePolicy = 'auto' | 'never';

/** What the database knows of this instance's progress (table `logharbor_checkpoint`). */
export interface Checkpoint {
  batchSeq: number;
  spoolSegment: string;
  spoolOffset: number;
}

export interface SqlSinkOptions {
  target: DatabaseTarget;
  password: string | null;
  migrate: MigratePolicy;
  instance: string;
  log: Logger;
  /** A commit that has not answered after this long is treated as a lost connection. */
  commitTimeoutMs?: number;
}

/** SQLite refuses more than 500 rows in one compound VALUES (MAX_COMPOUND_SELECT). */
const SQLITE_ROWS_PER_STATEMENT = 500;
/** 17 columns × 2,000 rows stays under PostgreSQL's 65,535 bind parameters. */
const ROWS_PER_STATEMENT = 2000;
const DEFAULT_STATEMENT_BYTES = 4 * 1024 * 1024;
/** Bytes a row adds to a statement beside its message: the other columns and the syntax. */
const ROW_OVERHEAD_BYTES = 600;
const DEFAULT_COMMIT_TIMEOUT_MS = 60_000;

export class CommitTimeoutError extends Error {
  readonly code = 'LH_COMMIT_TIMEOUT';
}

export class SqlSink {
  readonly name = 'sql';
  readonly #options: SqlSinkOptions;
  readonly #statements = new Map<number, string>();
  #sqliteWriter: SqliteWriter | null = null;
  #connection: Connection | null = null;
  /** MySQL rows go by LOAD DATA LOCAL INFILE until the server refuses it (reset at open). */
  #loadData = true;
  #statementBytes = DEFAULT_STATEMENT_BYTES;
  /** Batches committed by LOAD DATA LOCAL INFILE; the others went by INSERT. */
  loadedBatches = 0;

  constructor(options: SqlSinkOptions) {
    this.#options = options;
  }

  get engine(): DatabaseTarget['engine'] {
    return this.#options.target.engine;
  }

  /**
   * Connects, makes sure the schema is current and reads this instance's checkpoint (null on
   * a first run). FatalSinkError when the schema may not be made current.
   */
  async open(): Promise<Checkpoint | null> {
    await this.close();
    const { target, password, log } = this.#options;
    const connection = connect(target, password, log);
    this.#connection = connection;
    this.#loadData = true;
    await this.#prepareSchema(connection.knex);
    this.#statementBytes = await statementBudget(connection);
    const checkpoint = await this.#readCheckpoint(connection.knex);
    if (target.engine === 'sqlite') this.#sqliteWriter = new SqliteWriter(target.filename);
    return checkpoint;
  }

  /** Inserts `rows` and records `checkpoint`, in one transaction; throws on any failure. */
  async commit(rows: LogRow[], checkpoint: Checkpoint): Promise<void> {
    const knex = this.#requireKnex();
    const work = this.engine === 'mysql' ? this.#commitMysql(knex, rows, checkpoint)
      : this.engine === 'sqlite' ? this.#commitSqlite(rows, checkpoint)
        : this.#commitKnex(knex, rows, checkpoint);
    await withTimeout(work, this.#options.commitTimeoutMs ?? DEFAULT_COMMIT_TIMEOUT_MS,
      () => this.close());
  }

  /**
   * The same transaction straight on knex's one mysql2 connection, the rows as LOAD DATA
   * LOCAL INFILE (mysql-load.ts) or, when the server refuses that or warns, as INSERTs.
   */
  async #commitMysql(knex: Knex, rows: LogRow[], checkpoint: Checkpoint): Promise<void> {
    const connection = await knex.client.acquireConnection() as MysqlConnection;
    try {
      if (this.#loadData && rows.length > 0 &&
        await this.#loadMysql(connection, rows, checkpoint)) return;
      await this.#insertMysql(connection, rows, checkpoint);
    } finally {
      await Promise.resolve(knex.client.releaseConnection(connection)).catch(() => undefined);
    }
  }

  /**
   * True once the batch is committed; false when INSERT must take it instead: the load
   * warned or skipped rows (strict mode's verdict is then INSERT's), the server refused the
   * rows as data, or it refuses LOAD DATA LOCAL INFILE altogether (then for this connection).
   */
  async #loadMysql(connection: MysqlConnection, rows: LogRow[],
    checkpoint: Checkpoint): Promise<boolean> {
    try {
      // The file is encoded while the server answers: a millisecond a batch off its wait.
      const started = query(connection, 'start transaction');
      const file = encodeLoadFile(rows);
      await started;
      const result = await load(connection, file);
      if (!loadedCleanly(result, rows.length)) {
        await query(connection, 'rollback');
        return false;
      }
      await query(connection, MYSQL_CHECKPOINT, this.#checkpointValues(checkpoint));
      await query(connection, 'commit');
      this.loadedBatches += 1;
      return true;
    } catch (error) {
      await query(connection, 'rollback').catch(() => undefined);
      if (isLoadRefused(error)) {
        this.#loadData = false;
        this.#options.log.info({ errno: (error as { errno: number }).errno },
          'LOAD DATA LOCAL INFILE refused by the server, rows go by INSERT');
        return false;
      }
      if (classifySqlError(error) === 'data') return false;
      throw error;
    }
  }

  /**
   * The rows as a server-side prepared statement: the server then skips parsing 17 literals
   * per row, which took a third of MariaDB's CPU per row (9.6 µs text, 6.5 µs prepared), and
   * knex's raw-query layer, which rescans the statement and copies every binding, is
   * bypassed. mysql2 keeps one prepared statement per row count (database.ts bounds how many).
   */
  async #insertMysql(connection: MysqlConnection, rows: LogRow[],
    checkpoint: Checkpoint): Promise<void> {
    try {
      await query(connection, 'start transaction');
      for (const chunk of this.#chunks(rows)) {
        await execute(connection, this.#statement(chunk.length), bindingsOf(chunk));
      }
      await query(connection, MYSQL_CHECKPOINT, this.#checkpointValues(checkpoint));
      await query(connection, 'commit');
    } catch (error) {
      // A data error leaves the transaction open on a live connection: end it before the
      // runner splits the batch. On a dead connection this fails too, harmlessly.
      await query(connection, 'rollback').catch(() => undefined);
      throw error;
    }
  }

  /** SQLite's rows go to its writer thread (sqlite-writer.ts), each statement's bindings apart. */
  async #commitSqlite(rows: LogRow[], checkpoint: Checkpoint): Promise<void> {
    if (this.#sqliteWriter === null) throw new Error('The SQL sink is not open');
    const chunks = this.#chunks(rows).map((chunk) => bindingsOf(chunk) as unknown[]);
    await this.#sqliteWriter.commit(chunks, this.#checkpointValues(checkpoint));
  }

  async #commitKnex(knex: Knex, rows: LogRow[], checkpoint: Checkpoint): Promise<void> {
    await knex.transaction(async (transaction) => {
      for (const chunk of this.#chunks(rows)) {
        await insertRows(transaction, this.#statement(chunk.length), bindingsOf(chunk));
      }
      const [instance, batchSeq, spoolSegment, spoolOffset, updatedAt] =
        this.#checkpointValues(checkpoint);
      await transaction('logharbor_checkpoint').insert({ instance, batch_seq: batchSeq,
        spool_segment: spoolSegment, spool_offset: spoolOffset, updated_at: updatedAt })
        .onConflict('instance').merge();
    });
  }

  /** The checkpoint row in MYSQL_CHECKPOINT's column order. */
  #checkpointValues(checkpoint: Checkpoint): [string, number, string, number, string] {
    return [this.#options.instance, checkpoint.batchSeq, checkpoint.spoolSegment,
      checkpoint.spoolOffset, new Date().toISOString().replace('T', ' ').slice(0, 23)];
  }

  async close(): Promise<void> {
    const connection = this.#connection;
    const writer = this.#sqliteWriter;
    this.#connection = null;
    this.#sqliteWriter = null;
    await writer?.close();
    await connection?.knex.destroy();
  }

  async #prepareSchema(knex: Knex): Promise<void> {
    if (this.#options.migrate === 'auto') {
      const applied = await migrateLatest(knex);
      if (applied.length > 0) this.#options.log.info({ migrations: applied }, 'schema migrated');
      return;
    }
    const state = await schemaState(knex);
    if (state.unknown.length > 0) {
      throw new FatalSinkError('The database schema is newer than this logharbor ' +
        `(unknown migrations: ${state.unknown.join(', ')}); upgrade logharbor`);
    }
    if (state.pending.length > 0) {
      throw new FatalSinkError('The database schema is missing or out of date (pending ' +
        `migrations: ${state.pending.join(', ')}); run \`logharbor migrate --db ...\` or ` +
        'start with --migrate auto');
    }
  }

  /**
   * A locking read on servers: if the transaction of a lost connection is still committing,
   * this waits for its outcome instead of reading the checkpoint from before it.
   */
  async #readCheckpoint(knex: Knex): Promise<Checkpoint | null> {
    let query = knex('logharbor_checkpoint').where({ instance: this.#options.instance });
    if (this.engine !== 'sqlite') query = query.forUpdate();
    const row = await query.first() as Record<string, unknown> | undefined;
    if (row === undefined) return null;
    return { batchSeq: Number(row.batch_seq), spoolSegment: String(row.spool_segment),
      spoolOffset: Number(row.spool_offset) };
  }

  #chunks(rows: LogRow[]): LogRow[][] {
    const maxRows = this.engine === 'sqlite' ? SQLITE_ROWS_PER_STATEMENT : ROWS_PER_STATEMENT;
    const chunks: LogRow[][] = [];
    let chunk: LogRow[] = [];
    let bytes = 0;
    for (const row of rows) {
      const size = row.msg.length * 3 + ROW_OVERHEAD_BYTES;
      if (chunk.length > 0 && (chunk.length >= maxRows || bytes + size > this.#statementBytes)) {
        chunks.push(chunk);
        chunk = [];
        bytes = 0;
      }
      chunk.push(row);
      bytes += size;
    }
    if (chunk.length > 0) chunks.push(chunk);
    return chunks;
  }

  #statement(rows: number): string {
    const cached = this.#statements.get(rows);
    if (cached !== undefined) return cached;

    const sql = insertStatement(rows, this.engine === 'mysql' ? '`' : '"');
    this.#statements.set(rows, sql);
    return sql;
  }

  #requireKnex(): Knex {
    if (this.#connection === null) throw new Error('The SQL sink is not open');
    return this.#connection.knex;
  }
}

/** The part of a mysql2 connection (callback API, as knex holds it) that commits use. */
interface MysqlConnection {
  query(sql: string | { sql: string; infileStreamFactory: () => Readable }, values: unknown[],
    done: (error: Error | null, result?: unknown) => void): void;
  execute(sql: string, values: unknown[], done: (error: Error | null) => void): void;
}

const MYSQL_CHECKPOINT = 'insert into `logharbor_checkpoint` (`instance`, `batch_seq`, ' +
  '`spool_segment`, `spool_offset`, `updated_at`) values (?, ?, ?, ?, ?) on duplicate key ' +
  'update `batch_seq` = values(`batch_seq`), `spool_segment` = values(`spool_segment`), ' +
  '`spool_offset` = values(`spool_offset`), `updated_at` = values(`updated_at`)';

/** One statement; values are bound by mysql2, which escapes them as it sends the text. */
function query(connection: MysqlConnection, sql: string, values: unknown[] = []): Promise<void> {
  return new Promise((resolve, reject) => {
    connection.query(sql, values, (error) => (error ? reject(error) : resolve()));
  });
}

/** One prepared statement (prepared once per connection and text, then reused). */
function execute(connection: MysqlConnection, sql: string, values: unknown[]): Promise<void> {
  return new Promise((resolve, reject) => {
    connection.execute(sql, values, (error) => (error ? reject(error) : resolve()));
  });
}

/** One LOAD DATA LOCAL INFILE of `file`; resolves with the server's counts. */
function load(connection: MysqlConnection, file: Buffer): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    connection.query({ sql: LOAD_STATEMENT, infileStreamFactory: loadStream(file) }, [],
      (error, result) => (error ? reject(error) : resolve(result as LoadResult)));
  });
}

/**
 * One multi-row INSERT through knex. A failure's message is the database's own again: knex
 * put the statement (17 placeholders a row) in front of it, which would fill the dead-letter
 * file and the log.
 */
async function insertRows(transaction: Knex.Transaction, sql: string,
  bindings: Knex.RawBinding[]): Promise<void> {
  try {
    await transaction.raw(sql, bindings);
  } catch (error) {
    const prefix = `${String(transaction.client.positionBindings(sql))} - `;
    if (error instanceof Error && error.message.startsWith(prefix)) {
      error.message = error.message.slice(prefix.length);
    }
    throw error;
  }
}

function bindingsOf(rows: LogRow[]): Knex.RawBinding[] {
  const bindings: Knex.RawBinding[] = [];
  for (const row of rows) {
    for (const column of ROW_COLUMNS) bindings.push(row[column]);
  }
  return bindings;
}

/** A statement size safely under MySQL's max_allowed_packet (half of it, at most 16 MiB). */
async function statementBudget(connection: Connection): Promise<number> {
  if (connection.target.engine !== 'mysql') return DEFAULT_STATEMENT_BYTES;
  const result = await connection.knex.raw('select @@max_allowed_packet as packet');
  const packet = Number((result as [Array<{ packet: number }>])[0][0].packet);
  return Math.min(Math.floor(packet / 2), 16 * 1024 * 1024);
}

/**
 * Rejects with CommitTimeoutError when `work` has not settled in time, after `abandon` has
 * dropped the connection (so a half-open TCP link cannot hold the pipeline forever).
 */
async function withTimeout(work: Promise<unknown>, timeoutMs: number,
  abandon: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void abandon();
      reject(new CommitTimeoutError(`The database did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  // Once the timeout has won, a late failure of `work` is expected: keep it from surfacing.
  work.catch(() => undefined);
  try {
    await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
