/**
 * Drives a real SqlRunner over a real SqlSink (SQLite, MariaDB or PostgreSQL) in-process, with
 * a sink subclass that can lose the connection around a commit the way a network does: after
 * the database committed (the answer is lost) or before the commit reached it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LogRecord } from '../../src/record.js';
import { appendRowValues, RowMapper, type RowValues } from '../../src/sinks/row.js';
import { DeadLetterFile } from '../../src/sinks/sql/dead-letter-file.js';
import { parseDatabaseUrl } from '../../src/sinks/sql/database-url.js';
import { Spool } from '../../src/sinks/sql/spool.js';
import { SqlRunner } from '../../src/sinks/sql/sql-runner.js';
import { SqlSink, type Checkpoint } from '../../src/sinks/sql/sql-sink.js';
import type { LogRow } from '../../src/sinks/row.js';
import { Stats } from '../../src/stats.js';
import { ZoneClock } from '../../src/zone-clock.js';
import { waitFor } from './collector.js';
import { capturingLogger } from './log-rows.js';

const MAPPER = new RowMapper({ clock: new ZoneClock('UTC'), hostFrom: 'header' });

/** A parsed RFC 3164 message from host1/app whose `msg` is `text`. */
export function logRecord(text: string, overrides: Partial<LogRecord> = {}): LogRecord {
  return {
    meta: { sourceIp: '127.0.0.1', sourcePort: 40000, transport: 'tcp',
      listener: 'tcp://127.0.0.1:0', receivedAt: new Date('2026-12-03T19:20:00.123Z') },
    raw: Buffer.from(`<13>Dec  3 19:20:00 host1 app: ${text}`),
    facility: 1, severity: 5, timestamp: new Date('2026-12-03T19:20:00.000Z'),
    hostname: 'host1', appName: 'app', procId: null, msgId: null, structuredData: null,
    message: text, format: 'rfc3164', fields: {}, ...overrides,
  };
}

/** What the next commit with rows suffers. */
export type CommitFault = 'lost-after-commit' | 'lost-before-commit';

function lostConnection(): Error {
  return Object.assign(new Error('Connection lost: The server closed the connection.'),
    { code: 'PROTOCOL_CONNECTION_LOST', fatal: true });
}

export class FaultySqlSink extends SqlSink {
  /** While true, opening fails as a refused connection does. */
  down = false;
  readonly faults: CommitFault[] = [];
  /** Commits that reached the database (rows or checkpoint only), faults included. */
  commits = 0;

  override async open(): Promise<Checkpoint | null> {
    if (this.down) {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'),
        { code: 'ECONNREFUSED' });
    }
    return super.open();
  }

  override async commit(rows: LogRow[], checkpoint: Checkpoint): Promise<void> {
    const fault = rows.length > 0 ? this.faults.shift() : undefined;
    if (fault === 'lost-before-commit') throw lostConnection();
    await super.commit(rows, checkpoint);
    this.commits += 1;
    if (fault === 'lost-after-commit') throw lostConnection();
  }
}

export interface Harness {
  runner: SqlRunner;
  sink: FaultySqlSink;
  stats: Stats;
  deadLetterPath: string;
  events: Array<Record<string, unknown>>;
  /** Messages as texts (see logRecord) or whole records. */
  enqueue(messages: Array<string | LogRecord>): void;
  /** Resolves once `count` rows were stored in the table. */
  stored(count: number): Promise<void>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  db: string;
  dir: string;
  instance?: string;
  batchSize?: number;
  queueSize?: number;
  down?: boolean;
}

/** Starts a runner over `db` with its spool in `dir/spool`; retries come after 10–20 ms. */
export async function startRunner(options: HarnessOptions): Promise<Harness> {
  const { log, warnings, events } = capturingLogger();
  const sink = new FaultySqlSink({ target: parseDatabaseUrl(options.db), password: null,
    migrate: 'auto', instance: options.instance ?? 'test', log });
  sink.down = options.down ?? false;
  const stats = new Stats();
  const spoolDir = join(options.dir, 'spool');
  const deadLetters = new DeadLetterFile(spoolDir);
  const runner = new SqlRunner({ sink, spool: new Spool({ directory: spoolDir,
    maxBytes: 64 * 1024 * 1024 }), deadLetters, stats, log, warnings,
  batchSize: options.batchSize ?? 100, flushIntervalMs: 20, queueSize: options.queueSize ?? 10_000,
  backoff: { initialMs: 20, maxMs: 20 }, drainTimeoutMs: 5000, onProgress: () => undefined });
  await runner.start();

  return {
    runner, sink, stats, events, deadLetterPath: deadLetters.path,
    enqueue: (messages) => {
      for (const message of messages) {
        const record = typeof message === 'string' ? logRecord(message) : message;
        const rows: RowValues = [];
        appendRowValues(rows, MAPPER.toRow(record));
        runner.enqueue({ records: 1, receivedAt: record.meta.receivedAt.getTime(),
          archive: null, rows });
      }
    },
    stored: (count) => waitFor(() => stats.storedSql >= count, 30_000),
    stop: async () => {
      await runner.drain();
      await runner.close();
    },
  };
}

/** `prefix 0` .. `prefix count-1`. */
export function texts(count: number, prefix = 'message'): string[] {
  return Array.from({ length: count }, (_, index) => `${prefix} ${index}`);
}

/** Waits until the spool is replayed and memory is empty, then stops the runner. */
export async function settle(harness: Harness): Promise<void> {
  await waitFor(() => harness.runner.connected && harness.runner.depth === 0 &&
    harness.runner.gauges().spool_records === 0, 30_000);
  await harness.stop();
}

/** The dead-letter file's entries. */
export function deadLetters(path: string): Array<{ error: { code: string; message: string };
  row: { msg: string } }> {
  return readFileSync(path, 'utf8').split('\n').filter((line) => line !== '')
    .map((line) => JSON.parse(line));
}
