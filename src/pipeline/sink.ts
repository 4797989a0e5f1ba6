/**
 * What a sink of prepared lines (the archive) promises the pipeline. A sink only says what
 * happened to a batch; whether and when to try again is the pipeline's decision (SinkRunner).
 * The SQL table has a stage of its own (SqlRunner), with its spool and dead letters.
 */
import type { ArchiveGroup } from './prepared-batch.js';

export type WriteOutcome =
  | { kind: 'written'; written: number }
  | { kind: 'retry'; retryAfterMs: number; error: Error };

export interface SinkHealth {
  /** False while the sink cannot write (database unreachable, disk full). */
  ok: boolean;
  /** Why it cannot, for `/readyz`. */
  reason?: string;
  /** When it stopped being ok (epoch ms), for the readiness grace period. */
  since?: number;
}

export interface Sink {
  readonly name: string;
  open(): Promise<void>;
  /** Lines grouped by file, in arrival order within each file. */
  write(batch: readonly ArchiveGroup[]): Promise<WriteOutcome>;
  /** Pushes buffered data to the operating system (and disk, where the sink promises it). */
  flush(): Promise<void>;
  close(): Promise<void>;
  health(): SinkHealth;
}
