/**
 * Feeds the `logs` table, losing and duplicating nothing.
 *
 * Rows wait in memory and are committed in batches together with this instance's checkpoint.
 * When the database is down, memory spills to the disk spool at every batch; when it is up but
 * behind, stream readers pause first and only datagrams, which cannot wait, push memory past
 * a quarter of `--queue-size` into the spool. The spool is replayed, in order, before
 * memory again. Order of age is always: limbo, spool, memory.
 *
 * - A memory batch whose COMMIT outcome is unknown (the connection died) becomes the limbo and
 *   goes to the spool behind an `$attempt` marker with its batch sequence number; after the
 *   reconnect, the checkpoint's sequence says whether it committed (then it is skipped).
 * - A spool batch commits the spool position it reached; after a reconnect or a restart,
 *   replay resumes exactly at the checkpoint's position.
 * - A batch the database refuses as data is split until the refused rows stand alone; they go
 *   to `dead-letter.jsonl`, their neighbours to the table.
 *
 * Guarantee: exactly once into the table for every row that reached the spool or was
 * committed; rows still in memory are lost only if the process is killed (SIGKILL, crash),
 * never on a stop, which spools them.
 */
import type { Logger, RateLimitedLog } from '../../log.js';
import { backoffDelay, sleep, type BackoffOptions } from '../../pipeline/backoff.js';
import { Fifo } from '../../pipeline/fifo.js';
import { FatalSinkError } from '../../pipeline/sink-runner.js';
import type { SinkHealth } from '../../pipeline/sink.js';
import type { AdmissionQuestion, Refusal, Stage } from '../../pipeline/stage.js';
import type { PreparedBatch } from '../../pipeline/prepared-batch.js';
import type { Stats } from '../../stats.js';
import { rowsFromValues, type LogRow } from '../row.js';
import type { DeadLetterFile } from './dead-letter-file.js';
import { classifySqlError } from './error-class.js';
import type { Spool, SpoolEntry, SpoolPosition } from './spool.js';
import type { Checkpoint, SqlSink } from './sql-sink.js';

export interface SqlRunnerOptions {
  sink: SqlSink;
  spool: Spool;
  deadLetters: DeadLetterFile;
  stats: Stats;
  log: Logger;
  warnings: RateLimitedLog;
  batchSize: number;
  flushIntervalMs: number;
  queueSize: number;
  backoff: BackoffOptions;
  /** How long a stop may spend writing memory to the database before spooling the rest. */
  drainTimeoutMs: number;
  /** Called whenever rows left memory, so paused readers can resume. */
  onProgress: () => void;
  /** Told how long each commit attempt took, whatever its outcome. */
  observeBatch?: (seconds: number) => void;
  now?: () => number;
}

type Outcome = { kind: 'ok' } | { kind: 'connection' } | { kind: 'data'; error: Error };

interface Attempt {
  seq: number;
  rows: LogRow[];
}

interface SpoolGroup {
  rows: LogRow[];
  /** The end position of each row. */
  ends: SpoolPosition[];
  /** Where replay resumes once this group is committed. */
  end: SpoolPosition;
}

const TICK_MS = 200;
/** Rows appended to the spool at once when memory spills. */
const SPILL_SLICE = 2000;
const SYNC_EVERY_MS = 1000;

export class SqlRunner implements Stage {
  readonly name = 'sql';
  readonly #options: SqlRunnerOptions;
  readonly #now: () => number;
  readonly #memory = new Fifo<LogRow>(4096);
  /**
   * Rows in memory at which stream readers pause: two batches, or a sixteenth of the queue
   * (6,250 by default). Enough to keep the database busy; rows held longer outlive young
   * collections, and at a quarter of the queue the heap held some 70 MB more at 60,000 rows/s.
   */
  readonly #streamMark: number;
  /**
   * Rows in memory at which they go to the spool though the database is up (datagrams): a
   * quarter of the queue. At three quarters, a UDP flood that SQLite could not keep up with
   * held 75,000 rows and the collector 331 MB; at a quarter 196 MB. Spooling costs CPU too:
   * that run's highest rate without loss fell from 67,000/s to 56,500/s, though a later, quieter
   * full run kept 80,000/s at a quarter.
   */
  readonly #spillThreshold: number;
  readonly #stop = new AbortController();
  #limbo: Attempt | null = null;
  #oldestAt = 0;
  #connected = false;
  #disconnectedSince: number = Date.now();
  #lastError = 'not connected yet';
  #committedSeq = 0;
  #nextSeq = 1;
  #ackPosition: SpoolPosition = { segment: '', offset: 0 };
  #draining = false;
  #destroyed = false;
  #wake: (() => void) | null = null;
  #loop: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #lastSync = 0;
  /** The last spill found the spool at its cap (`--spool-max`). */
  #spoolRefused = false;
  /** A spool group whose COMMIT outcome was lost with the connection. */
  #unsureSpoolGroup: { end: SpoolPosition; rows: number } | null = null;

  constructor(options: SqlRunnerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#streamMark = Math.min(options.queueSize,
      Math.max(options.batchSize * 2, Math.floor(options.queueSize / 16)));
    this.#spillThreshold = Math.max(this.#streamMark, Math.floor(options.queueSize / 4));
  }

  get depth(): number {
    return this.#memory.length + (this.#limbo?.rows.length ?? 0);
  }

  get connected(): boolean {
    return this.#connected;
  }

  gauges(): Record<string, number> {
    const oldestAt = this.#options.spool.oldestAt;
    const oldestAge = oldestAt === null ? 0 : Math.max(0, this.#now() - oldestAt) / 1000;
    return { spool_bytes: this.#options.spool.bytes, spool_records: this.#options.spool.records,
      spool_oldest_age_seconds: Math.floor(oldestAge), sql_connected: this.#connected ? 1 : 0 };
  }

  enqueue(batch: PreparedBatch): void {
    if (batch.rows === null || batch.rows.length === 0) return;
    const before = this.#memory.length;
    if (before === 0) this.#oldestAt = this.#now();
    for (const row of rowsFromValues(batch.rows)) this.#memory.push(row);
    const depth = this.#memory.length;
    if (depth >= this.#spillThreshold || (!this.#connected && depth >= this.#options.batchSize)) {
      this.#spill();
    }
    const { batchSize } = this.#options;
    if (before === 0 || (before < batchSize && depth >= batchSize)) this.#wakeUp();
  }

  /**
   * Datagrams are taken until memory is full (`--queue-size`), spilling to the spool long
   * before. Streams pause at the stream mark instead: while the database is up but behind,
   * a paused sender costs nothing, where spooling would write, fsync and read back every row
   * (a fifth of the collector's CPU when a TCP burst outran MariaDB).
   */
  refusal(question: AdmissionQuestion, arriving = 0): Refusal | null {
    const limit = question === 'datagram' ? this.#options.queueSize
      : question === 'stream' ? this.#streamMark : this.#streamMark / 2;
    if (this.depth + arriving < limit) return null;
    return this.#spoolRefused ? 'spool_full' : 'queue_full';
  }

  health(): SinkHealth {
    if (this.#connected) return { ok: true };
    return { ok: false, reason: `sql unavailable (${this.#lastError})`,
      since: this.#disconnectedSince };
  }

  async start(): Promise<void> {
    try {
      this.#options.spool.open();
    } catch (error) {
      throw new FatalSinkError(`Cannot open the spool directory ${this.#options.spool.directory}:` +
        ` ${(error as Error).message} (check --spool)`, { cause: error });
    }
    try {
      await this.#connect();
    } catch (error) {
      if (error instanceof FatalSinkError) throw error;
      this.#lostConnection(error as Error);
    }
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
    this.#timer.unref();
    this.#loop = this.#run();
  }

  async drain(): Promise<void> {
    this.#draining = true;
    this.#stop.abort();
    this.#wakeUp();
    await this.#loop;
  }

  async close(): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#options.spool.close();
    await this.#options.sink.close();
  }

  destroy(): number {
    this.#destroyed = true;
    this.#stop.abort();
    this.#wakeUp();
    return this.depth;
  }

  async #run(): Promise<void> {
    for (let attempt = 1; !this.#destroyed;) {
      if (this.#draining) return this.#finishDrain();
      if (!this.#connected) {
        attempt = await this.#reconnect(attempt);
        continue;
      }
      attempt = 1;
      await this.#commitOldest();
    }
  }

  /** One step of the work, oldest rows first: the limbo, then the spool, then memory. */
  async #commitOldest(): Promise<void> {
    if (this.#limbo !== null) await this.#commitLimbo(this.#limbo);
    else if (this.#options.spool.hasUnread) await this.#commitFromSpool();
    else await this.#commitFromMemory();
  }

  async #connect(): Promise<void> {
    const checkpoint = await this.#options.sink.open();
    this.#committedSeq = checkpoint?.batchSeq ?? 0;
    this.#nextSeq = this.#committedSeq + 1;
    this.#ackPosition = positionOf(checkpoint);
    this.#countUnsureSpoolGroup();
    this.#options.spool.seek(checkpoint === null || checkpoint.spoolSegment === ''
      ? null : this.#ackPosition);
    this.#connected = true;
    this.#options.log.info({ spool_records: this.#options.spool.records,
      spool_bytes: this.#options.spool.bytes, batch_seq: this.#committedSeq }, 'sql connected');
  }

  /**
   * A spool group whose outcome was unknown committed if the checkpoint reached its end:
   * replay then resumes after it, and only `stored_sql` needs to hear of its rows.
   */
  #countUnsureSpoolGroup(): void {
    const unsure = this.#unsureSpoolGroup;
    this.#unsureSpoolGroup = null;
    if (unsure === null || !samePosition(unsure.end, this.#ackPosition)) return;
    this.#stored(unsure.rows);
  }

  async #reconnect(attempt: number): Promise<number> {
    await sleep(backoffDelay(attempt, this.#options.backoff), this.#stop.signal);
    if (this.#draining || this.#destroyed) return attempt;
    try {
      await this.#connect();
      return 1;
    } catch (error) {
      if (error instanceof FatalSinkError) {
        this.#options.log.error({ err: error }, 'sql open refused, retrying');
      }
      this.#noteFailure(error as Error);
      return attempt + 1;
    }
  }

  async #commitLimbo(limbo: Attempt): Promise<void> {
    if (limbo.seq <= this.#committedSeq) {
      this.#limbo = null;
      this.#stored(limbo.rows.length);
      return;
    }
    await this.#commitMemoryRows(limbo.rows, () => {
      this.#limbo = null;
    });
  }

  async #commitFromMemory(): Promise<void> {
    if (this.#memory.length === 0) {
      await this.#idle();
      return;
    }
    const wait = this.#oldestAt + this.#options.flushIntervalMs - this.#now();
    if (!this.#draining && this.#memory.length < this.#options.batchSize && wait > 0) {
      await this.#idle(wait);
      return;
    }
    await this.#commitMemoryRows(this.#memory.take(this.#options.batchSize), () => {});
  }

  /** Commits rows from memory (or the limbo) as new batches; `taken` runs once they left. */
  async #commitMemoryRows(rows: LogRow[], taken: () => void): Promise<void> {
    const groups: LogRow[][] = [rows];
    taken();
    while (groups.length > 0) {
      const group = groups.shift() as LogRow[];
      const seq = this.#nextSeq;
      this.#nextSeq += 1;
      const outcome = await this.#tryCommit(group, seq, this.#ackPosition);
      if (outcome.kind === 'ok') {
        this.#committedSeq = seq;
        this.#stored(group.length);
      } else if (outcome.kind === 'data') {
        this.#splitOrReject(group, outcome.error, groups);
      } else {
        this.#memory.unshift(groups.flat());
        this.#limbo = { seq, rows: group };
        this.#spill();
        return;
      }
    }
  }

  async #commitFromSpool(): Promise<void> {
    const entries = this.#readSpoolBatch();
    const end = entries[entries.length - 1].end;
    const batch = this.#rowsToInsert(entries);
    const groups: SpoolGroup[] = [{ rows: batch.rows, ends: batch.ends, end }];

    while (groups.length > 0) {
      const group = groups.shift() as SpoolGroup;
      const outcome = await this.#tryCommit(group.rows, this.#committedSeq, group.end);
      if (outcome.kind === 'connection') {
        // Rows skipped as already committed count once replay is known to be past `end`.
        const skipped = samePosition(group.end, end) ? batch.skipped : 0;
        this.#unsureSpoolGroup = { end: group.end, rows: group.rows.length + skipped };
        return;
      }
      if (outcome.kind === 'ok') this.#stored(group.rows.length);
      else this.#splitSpoolGroup(group, outcome.error, groups);
    }
    // The last rows may all have been refused or skipped: record that replay is past them.
    if (!samePosition(this.#ackPosition, end) &&
      (await this.#tryCommit([], this.#committedSeq, end)).kind !== 'ok') {
      this.#unsureSpoolGroup = { end, rows: batch.skipped };
      return;
    }

    this.#stored(batch.skipped);
    this.#options.spool.acknowledge(end);
    this.#options.spool.committed(entries.length);
    if (!this.#options.spool.hasUnread) this.#options.spool.clear();
  }

  /** Reads a batch of entries, never cutting the rows of an `$attempt` marker in two. */
  #readSpoolBatch(): SpoolEntry[] {
    const spool = this.#options.spool;
    const entries = spool.read(this.#options.batchSize);
    for (let owed = owedRows(entries); owed > 0 && spool.hasUnread; owed = owedRows(entries)) {
      entries.push(...spool.read(owed));
    }
    return entries;
  }

  /**
   * The rows of a spool batch that still need inserting, with their end positions; rows under
   * an `$attempt` marker whose batch the checkpoint shows committed are skipped.
   */
  #rowsToInsert(entries: SpoolEntry[]): { rows: LogRow[]; ends: SpoolPosition[];
    skipped: number } {
    const rows: LogRow[] = [];
    const ends: SpoolPosition[] = [];
    let skip = 0;
    let skipped = 0;
    for (const entry of entries) {
      if (entry.kind === 'attempt') {
        skip = entry.seq <= this.#committedSeq ? entry.rows : 0;
      } else if (entry.kind === 'corrupt') {
        this.#rejectText(entry.text, entry.end);
      } else if (skip > 0) {
        skip -= 1;
        skipped += 1;
      } else {
        rows.push(entry.row);
        ends.push(entry.end);
      }
    }
    return { rows, ends, skipped };
  }

  #splitSpoolGroup(group: SpoolGroup, error: Error, groups: SpoolGroup[]): void {
    if (group.rows.length === 1) {
      this.#reject(group.rows[0], error);
      return;
    }
    const middle = Math.ceil(group.rows.length / 2);
    groups.unshift(
      { rows: group.rows.slice(0, middle), ends: group.ends.slice(0, middle),
        end: group.ends[middle - 1] },
      { rows: group.rows.slice(middle), ends: group.ends.slice(middle), end: group.end });
  }

  #splitOrReject(group: LogRow[], error: Error, groups: LogRow[][]): void {
    if (group.length === 1) {
      this.#reject(group[0], error);
      return;
    }
    const middle = Math.ceil(group.length / 2);
    groups.unshift(group.slice(0, middle), group.slice(middle));
  }

  async #tryCommit(rows: LogRow[], seq: number, position: SpoolPosition): Promise<Outcome> {
    const checkpoint: Checkpoint = { batchSeq: seq, spoolSegment: position.segment,
      spoolOffset: position.offset };
    const started = performance.now();
    try {
      await this.#options.sink.commit(rows, checkpoint);
      this.#ackPosition = position;
      return { kind: 'ok' };
    } catch (error) {
      if (classifySqlError(error) === 'data') return { kind: 'data', error: error as Error };
      this.#lostConnection(error as Error);
      return { kind: 'connection' };
    } finally {
      this.#options.observeBatch?.((performance.now() - started) / 1000);
    }
  }

  /** Moves the limbo and then all of memory to the spool, as far as the spool takes them. */
  #spill(): void {
    const spool = this.#options.spool;
    if (this.#limbo !== null && spool.append(this.#limbo.rows, { seq: this.#limbo.seq })) {
      this.#limbo = null;
    }
    if (this.#limbo !== null || this.#memory.length === 0) {
      this.#spoolRefused = this.#limbo !== null;
      return;
    }
    // In slices: tens of thousands of rows spilled as one text would hold their JSON lines,
    // the text and its bytes all at once.
    let spilled = false;
    while (this.#memory.length > 0) {
      const rows = this.#memory.take(SPILL_SLICE);
      this.#spoolRefused = !spool.append(rows);
      if (this.#spoolRefused) {
        this.#memory.unshift(rows);
        break;
      }
      spilled = true;
    }
    if (spilled) this.#options.onProgress();
  }

  /**
   * A stop writes to a reachable database for up to `drainTimeoutMs`, oldest first as always
   * (limbo, spool, memory), and partial batches without waiting; what is left then, or all of
   * it while the database is down, goes to the spool for the next start.
   */
  async #finishDrain(): Promise<void> {
    const deadline = this.#now() + this.#options.drainTimeoutMs;
    while (this.#connected && this.#now() < deadline && (this.#limbo !== null ||
      this.#options.spool.hasUnread || this.#memory.length > 0)) await this.#commitOldest();
    this.#spill();
    const lost = this.depth;
    if (lost > 0) {
      this.#options.stats.drop('spool_full', lost);
      this.#options.log.error({ rows: lost, spool: this.#options.spool.directory },
        'rows lost at stop: the spool is full');
    }
    this.#options.spool.sync();
  }

  #tick(): void {
    if (!this.#connected && !this.#draining) this.#spill();
    if (this.#now() - this.#lastSync >= SYNC_EVERY_MS) {
      this.#options.spool.sync();
      this.#lastSync = this.#now();
    }
  }

  #rejectText(text: string, end: SpoolPosition): void {
    this.#options.log.error({ spool: end.segment, bytes: text.length },
      'unreadable spool line moved to the dead-letter file');
    this.#options.deadLetters.appendText(text, 'unreadable spool line');
    this.#options.stats.deadLetters += 1;
  }

  #reject(row: LogRow, error: Error): void {
    this.#options.deadLetters.appendRow(row, error);
    this.#options.stats.deadLetters += 1;
    this.#options.warnings.warn('dead-letter', { code: (error as { code?: unknown }).code,
      path: this.#options.deadLetters.path }, 'row refused by the database, dead-lettered');
  }

  #stored(rows: number): void {
    this.#options.stats.storedSql += rows;
    this.#options.onProgress();
  }

  #lostConnection(error: Error): void {
    if (this.#connected) {
      this.#disconnectedSince = this.#now();
      this.#options.log.warn({ err: error }, 'sql connection lost, spooling');
    }
    this.#connected = false;
    this.#noteFailure(error);
    void this.#options.sink.close().catch(() => undefined);
  }

  #noteFailure(error: Error): void {
    const code = (error as { code?: unknown }).code;
    this.#lastError = typeof code === 'string' ? code : error.message;
    this.#options.stats.sqlRetries += 1;
    this.#options.warnings.warn('sql-retry', { code, err_message: error.message },
      'sql unavailable, retrying');
  }

  #idle(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === undefined ? null : setTimeout(done, ms);
      const wake = (): void => done();
      this.#wake = wake;
      function done(): void {
        if (timer !== null) clearTimeout(timer);
        resolve();
      }
    });
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}

function positionOf(checkpoint: Checkpoint | null): SpoolPosition {
  return checkpoint === null ? { segment: '', offset: 0 }
    : { segment: checkpoint.spoolSegment, offset: checkpoint.spoolOffset };
}

/** Rows an unfinished `$attempt` marker at the end of `entries` still owns. */
function owedRows(entries: SpoolEntry[]): number {
  let owed = 0;
  for (const entry of entries) {
    if (entry.kind === 'attempt') owed = entry.rows;
    else if (owed > 0) owed -= 1;
  }
  return owed;
}

function samePosition(left: SpoolPosition, right: SpoolPosition): boolean {
  return left.segment === right.segment && left.offset === right.offset;
}
