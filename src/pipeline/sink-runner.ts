/**
 * Feeds one sink from its own in-memory queue: batches of at least `batchSize` records (whole
 * prepared batches, never split), a partial batch once its oldest record has waited
 * `flushIntervalMs`, and retries of the same batch (never a reordered or shortened one) for as
 * long as the sink answers "retry later". Each sink has its own queue, so a database outage
 * never stops the archive.
 */
import type { Logger } from '../log.js';
import { backoffDelay, sleep, type BackoffOptions } from './backoff.js';
import { Fifo } from './fifo.js';
import type { ArchiveGroup, PreparedBatch } from './prepared-batch.js';
import type { Sink, SinkHealth, WriteOutcome } from './sink.js';
import type { AdmissionQuestion, Refusal, Stage } from './stage.js';

export interface SinkRunnerOptions {
  batchSize: number;
  flushIntervalMs: number;
  /** Records held in memory before the runner refuses more (`--queue-size`). */
  queueSize: number;
  backoff: BackoffOptions;
  log: Logger;
  /** Called after every delivered batch, e.g. to resume paused readers. */
  onDelivered?: (written: number) => void;
  /** Called before each wait for a retry. */
  onRetry?: (error: Error, attempt: number) => void;
  /** Told how long each write attempt took, whatever its outcome. */
  observeBatch?: (seconds: number) => void;
  now?: () => number;
}

/** Raised by a sink's `open()` for a problem that waiting will not fix (e.g. old schema). */
export class FatalSinkError extends Error {
  readonly code: string = 'LH_SINK_FATAL';
}

interface Queued {
  groups: readonly ArchiveGroup[];
  records: number;
  receivedAt: number;
}

export class SinkRunner implements Stage {
  readonly sink: Sink;
  readonly #options: SinkRunnerOptions;
  readonly #now: () => number;
  readonly #abort = new AbortController();
  readonly #queue = new Fifo<Queued>();
  #depth = 0;
  #open = false;
  #draining = false;
  #pumping = false;
  #scheduled = false;
  #timer: NodeJS.Timeout | null = null;
  #idleWaiters: Array<() => void> = [];

  constructor(sink: Sink, options: SinkRunnerOptions) {
    this.sink = sink;
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  get name(): string {
    return this.sink.name;
  }

  /** Records held in memory. */
  get depth(): number {
    return this.#depth;
  }

  /** A batch goes out without waiting once this many wait: a full one, or half the queue. */
  get #fullBatch(): number {
    return Math.min(this.#options.batchSize, Math.ceil(this.#options.queueSize / 2));
  }

  /**
   * Datagrams are taken up to `--queue-size`; stream readers pause much earlier, at two
   * batches or a sixteenth of the queue (a paused sender loses nothing, and what waits here
   * is memory: 100,000 hosts' first lines waiting for their files to be created held some
   * 90,000 records), and go on at half of that.
   */
  refusal(question: AdmissionQuestion, arriving = 0): Refusal | null {
    const { queueSize, batchSize } = this.#options;
    const streamMark = Math.min(queueSize, Math.max(2 * batchSize, Math.floor(queueSize / 16)));
    const limit = question === 'datagram' ? queueSize
      : question === 'stream' ? streamMark : streamMark / 2;
    return this.depth + arriving >= limit ? 'queue_full' : null;
  }

  health(): SinkHealth {
    return this.sink.health();
  }

  close(): Promise<void> {
    return this.sink.close();
  }

  enqueue(batch: PreparedBatch): void {
    if (batch.archive === null) return;
    this.#queue.push({ groups: batch.archive, records: batch.records,
      receivedAt: batch.receivedAt });
    this.#depth += batch.records;
    // A full batch is written at once, inside the read that completed it: one event-loop turn
    // can bring megabytes from many sockets, and records left waiting for setImmediate survive
    // young-generation collections (measured: a third of the CPU went to copying them).
    if (this.depth >= this.#fullBatch && !this.#scheduled) void this.#pump();
    else this.#schedule();
  }

  /**
   * Opens the sink. Resolves once it is open, or once a first attempt failed in a way worth
   * retrying (the runner keeps trying in the background); rejects on a FatalSinkError.
   */
  async start(): Promise<void> {
    try {
      await this.sink.open();
      this.#markOpen();
    } catch (error) {
      if (error instanceof FatalSinkError) throw error;
      this.#options.log.error({ sink: this.sink.name, err: error }, 'sink open failed');
      void this.#keepOpening();
    }
  }

  /** Writes out every queued record, partial batches included; resolves when the queue is empty. */
  drain(): Promise<void> {
    this.#draining = true;
    this.#clearTimer();
    this.#schedule();
    if (this.depth === 0 && !this.#pumping) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Stops retrying at once; returns how many queued records stay unwritten. */
  destroy(): number {
    this.#abort.abort();
    this.#clearTimer();
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
    return this.depth;
  }

  async #keepOpening(): Promise<void> {
    for (let attempt = 1; !this.#abort.signal.aborted; attempt += 1) {
      await sleep(backoffDelay(attempt, this.#options.backoff), this.#abort.signal);
      if (this.#abort.signal.aborted) return;
      try {
        await this.sink.open();
        this.#markOpen();
        return;
      } catch (error) {
        this.#options.onRetry?.(error as Error, attempt);
      }
    }
  }

  #markOpen(): void {
    this.#open = true;
    this.#options.log.info({ sink: this.sink.name }, 'sink open');
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled || this.#pumping || !this.#open) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#pump();
    });
  }

  async #pump(): Promise<void> {
    if (this.#pumping || !this.#open) return;
    this.#pumping = true;
    this.#clearTimer();
    try {
      while (this.depth > 0 && !this.#abort.signal.aborted) {
        const wait = this.#partialBatchWait();
        if (wait > 0) {
          this.#timer = setTimeout(() => void this.#pump(), wait);
          return;
        }
        await this.#deliver(this.#take(this.#options.batchSize));
      }
    } finally {
      this.#pumping = false;
      if (this.depth === 0) for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
  }

  /** How long a partial batch should still wait for company; 0 to write it now. */
  #partialBatchWait(): number {
    if (this.#draining || this.depth >= this.#fullBatch) return 0;
    const oldest = (this.#queue.peek() as Queued).receivedAt;
    return Math.max(0, oldest + this.#options.flushIntervalMs - this.#now());
  }

  async #deliver(batch: ArchiveGroup[]): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await this.#write(batch);
      if (outcome.kind === 'written') {
        this.#options.onDelivered?.(outcome.written);
        return;
      }
      this.#options.onRetry?.(outcome.error, attempt);
      const delay = Math.max(outcome.retryAfterMs, backoffDelay(attempt, this.#options.backoff));
      await sleep(delay, this.#abort.signal);
      if (this.#abort.signal.aborted) return;
    }
  }

  /** A sink that throws is treated as one that asked for a retry: the batch is kept. */
  async #write(batch: ArchiveGroup[]): Promise<WriteOutcome> {
    const started = performance.now();
    try {
      return await this.sink.write(batch);
    } catch (error) {
      return { kind: 'retry', retryAfterMs: 0, error: error as Error };
    } finally {
      this.#options.observeBatch?.((performance.now() - started) / 1000);
    }
  }

  /** Whole queued batches, oldest first, until they hold `count` records or none is left. */
  #take(count: number): ArchiveGroup[] {
    const batch: ArchiveGroup[] = [];
    let records = 0;
    while (records < count && this.#queue.length > 0) {
      const queued = this.#queue.shift() as Queued;
      batch.push(...queued.groups);
      records += queued.records;
    }
    this.#depth -= records;
    return batch;
  }

  #clearTimer(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
