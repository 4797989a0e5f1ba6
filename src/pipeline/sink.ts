/**
 * What a sink promises the pipeline. A sink only says what happened to a batch; whether and
 * when to try again is the pipeline's decision (SinkRunner).
 */
import type { LogRecord } from '../record.js';

export interface RejectedRecord {
  record: LogRecord;
  error: Error;
}

export type WriteOutcome =
  | { kind: 'written'; written: number }
  | { kind: 'retry'; retryAfterMs: number; error: Error }
  | { kind: 'partial'; written: number; rejected: RejectedRecord[] };

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
  write(batch: LogRecord[]): Promise<WriteOutcome>;
  /** Pushes buffered data to the operating system (and disk, where the sink promises it). */
  flush(): Promise<void>;
  close(): Promise<void>;
  health(): SinkHealth;
}
