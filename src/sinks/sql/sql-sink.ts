/**
 * The SQL sink: each batch becomes multi-row INSERTs inside one transaction, on one
 * connection. A connection-level failure returns "retry" with the batch untouched; a data
 * error splits the batch until the refused rows are isolated, and the rest is inserted.
 * Rows a split already committed are remembered, so retrying the same batch after a
 * connection loss mid-split does not insert them twice.
 */
import type { Knex } from 'knex';
import type { Logger } from '../../log.js';
import { FatalSinkError } from '../../pipeline/sink-runner.js';
import type { RejectedRecord, Sink, SinkHealth, WriteOutcome } from '../../pipeline/sink.js';
import type { LogRecord } from '../../record.js';
import type { Stats } from '../../stats.js';
import { ROW_COLUMNS, type LogRow, type RowMapper } from '../row.js';
import { connect, type Connection } from './database.js';
import type { DatabaseTarget } from './database-url.js';
import { classifySqlError } from './error-class.js';
import { migrateLatest, schemaState } from './migrations.js';

export type MigratePolicy = 'auto' | 'never';

export interface SqlSinkOptions {
  target: DatabaseTarget;
  password: string | null;
  migrate: MigratePolicy;
  mapper: RowMapper;
  stats: Stats;
  log: Logger;
}

/** SQLite refuses more than 500 rows in one compound VALUES (MAX_COMPOUND_SELECT). */
const SQLITE_ROWS_PER_STATEMENT = 500;
/** PostgreSQL and MySQL: rows are also bounded by statement bytes (max_allowed_packet). */
const ROWS_PER_STATEMENT = 2000;
const DEFAULT_STATEMENT_BYTES = 4 * 1024 * 1024;
/** Bytes a row adds to a statement beside its message: the other columns and the syntax. */
const ROW_OVERHEAD_BYTES = 600;

interface Pair {
  record: LogRecord;
  row: LogRow;
}

export class SqlSink implements Sink {
  readonly name = 'sql';
  readonly #options: SqlSinkOptions;
  readonly #committed = new WeakSet<LogRecord>();
  readonly #statements = new Map<number, string>();
  #connection: Connection | null = null;
  #statementBytes = DEFAULT_STATEMENT_BYTES;
  #connected = false;
  #failingSince: number | null = Date.now();
  #lastError = 'not connected yet';

  constructor(options: SqlSinkOptions) {
    this.#options = options;
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** Connects and makes sure the schema is current; FatalSinkError when it may not be made so. */
  async open(): Promise<void> {
    await this.#disconnect();
    const { target, password, log } = this.#options;
    const connection = connect(target, password, log);
    this.#connection = connection;
    try {
      await this.#prepareSchema(connection.knex);
      this.#statementBytes = await statementBudget(connection);
    } catch (error) {
      this.#markDisconnected(error as Error);
      throw error;
    }
    this.#markConnected();
  }

  async write(batch: LogRecord[]): Promise<WriteOutcome> {
    const pairs = batch.filter((record) => !this.#committed.has(record))
      .map((record) => ({ record, row: this.#options.mapper.toRow(record) }));
    try {
      await this.#insert(pairs);
      this.#markConnected();
      return { kind: 'written', written: batch.length };
    } catch (error) {
      if (classifySqlError(error) === 'connection') return this.#retry(error as Error);
    }

    try {
      const rejected = await this.#isolate(pairs);
      this.#markConnected();
      return { kind: 'partial', written: batch.length - rejected.length, rejected };
    } catch (error) {
      return this.#retry(error as Error);
    }
  }

  async flush(): Promise<void> {
    // Every write is committed before it resolves: nothing is buffered here.
  }

  async close(): Promise<void> {
    await this.#disconnect();
  }

  health(): SinkHealth {
    if (this.#connected) return { ok: true };
    return { ok: false, reason: `sql unavailable: ${this.#lastError}`,
      since: this.#failingSince ?? Date.now() };
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

  /** Inserts all pairs in one transaction, in statements that respect the engine's limits. */
  async #insert(pairs: Pair[]): Promise<void> {
    if (pairs.length === 0) return;
    const knex = this.#requireKnex();
    await knex.transaction(async (transaction) => {
      for (const chunk of this.#chunks(pairs)) {
        await transaction.raw(this.#statement(chunk.length), bindingsOf(chunk));
      }
    });
  }

  /** Splits until each refused row stands alone; connection errors propagate. */
  async #isolate(pairs: Pair[]): Promise<RejectedRecord[]> {
    if (pairs.length === 0) return [];
    try {
      await this.#insert(pairs);
      for (const pair of pairs) this.#committed.add(pair.record);
      return [];
    } catch (error) {
      if (classifySqlError(error) === 'connection') throw error;
      if (pairs.length === 1) return [{ record: pairs[0].record, error: error as Error }];
    }
    const middle = Math.ceil(pairs.length / 2);
    const left = await this.#isolate(pairs.slice(0, middle));
    const right = await this.#isolate(pairs.slice(middle));
    return [...left, ...right];
  }

  #chunks(pairs: Pair[]): Pair[][] {
    const sqlite = this.#options.target.engine === 'sqlite';
    const maxRows = sqlite ? SQLITE_ROWS_PER_STATEMENT : ROWS_PER_STATEMENT;
    const chunks: Pair[][] = [];
    let chunk: Pair[] = [];
    let bytes = 0;
    for (const pair of pairs) {
      const size = pair.row.msg.length * 3 + ROW_OVERHEAD_BYTES;
      if (chunk.length > 0 && (chunk.length >= maxRows || bytes + size > this.#statementBytes)) {
        chunks.push(chunk);
        chunk = [];
        bytes = 0;
      }
      chunk.push(pair);
      bytes += size;
    }
    if (chunk.length > 0) chunks.push(chunk);
    return chunks;
  }

  #statement(rows: number): string {
    const cached = this.#statements.get(rows);
    if (cached !== undefined) return cached;

    const quote = this.#options.target.engine === 'mysql' ? '`' : '"';
    const columns = ROW_COLUMNS.map((column) => `${quote}${column}${quote}`).join(', ');
    const tuple = `(${ROW_COLUMNS.map(() => '?').join(', ')})`;
    const sql = `insert into ${quote}logs${quote} (${columns}) values ` +
      Array.from({ length: rows }, () => tuple).join(', ');
    this.#statements.set(rows, sql);
    return sql;
  }

  #retry(error: Error): WriteOutcome {
    this.#markDisconnected(error);
    return { kind: 'retry', retryAfterMs: 0, error };
  }

  #markConnected(): void {
    this.#connected = true;
    this.#failingSince = null;
  }

  #markDisconnected(error: Error): void {
    if (this.#connected || this.#failingSince === null) this.#failingSince = Date.now();
    this.#connected = false;
    const code = (error as { code?: unknown }).code;
    this.#lastError = typeof code === 'string' ? code : error.message;
  }

  #requireKnex(): Knex {
    if (this.#connection === null) throw new Error('The SQL sink is not open');
    return this.#connection.knex;
  }

  async #disconnect(): Promise<void> {
    const connection = this.#connection;
    this.#connection = null;
    await connection?.knex.destroy();
  }
}

function bindingsOf(pairs: Pair[]): Knex.RawBinding[] {
  const bindings: Knex.RawBinding[] = [];
  for (const { row } of pairs) {
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
