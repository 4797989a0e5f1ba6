/**
 * The bounded hand-off between receivers and sinks. Every record goes to every sink's runner;
 * the depth is that of the slowest one. Policy when full (`--queue-size`): stream readers
 * pause until the depth falls to half, datagrams are dropped and counted `queue_full`.
 */
import type { LogRecord } from '../record.js';
import type { SinkRunner } from './sink-runner.js';

export interface PipelineOptions {
  runners: SinkRunner[];
  queueSize: number;
}

export class Pipeline {
  readonly queueSize: number;
  readonly #runners: SinkRunner[];
  readonly #resumeListeners = new Set<() => void>();
  #paused = false;

  constructor(options: PipelineOptions) {
    this.#runners = options.runners;
    this.queueSize = options.queueSize;
  }

  get depth(): number {
    let depth = 0;
    for (const runner of this.#runners) depth = Math.max(depth, runner.depth);
    return depth;
  }

  get full(): boolean {
    return this.depth >= this.queueSize;
  }

  /** Queues a record from a reader that can be paused (TCP): never refused. */
  accept(record: LogRecord): void {
    for (const runner of this.#runners) runner.enqueue(record);
    if (!this.#paused && this.full) this.#paused = true;
  }

  /** Queues a datagram's record unless the queue is full; false means it was not taken. */
  offer(record: LogRecord): boolean {
    if (this.full) return false;
    this.accept(record);
    return true;
  }

  /** Registers a reader to call when a full queue has drained to half. */
  onResume(listener: () => void): () => void {
    this.#resumeListeners.add(listener);
    return () => this.#resumeListeners.delete(listener);
  }

  /** Runners call this after each delivered batch. */
  delivered(): void {
    if (!this.#paused || this.depth > this.queueSize / 2) return;
    this.#paused = false;
    for (const listener of [...this.#resumeListeners]) listener();
  }

  get paused(): boolean {
    return this.#paused;
  }
}
