/**
 * What the pipeline needs from the part that feeds one sink: a queue it can fill, a way to
 * know when it will take no more, and a lifecycle. SinkRunner (archive) and SqlRunner (the
 * table, with its disk spool) implement it.
 */
import type { PreparedBatch } from './prepared-batch.js';
import type { SinkHealth } from './sink.js';

/** Why a stage takes no more records: the memory queue or the disk spool is at its cap. */
export type Refusal = 'queue_full' | 'spool_full';

/**
 * What the pipeline asks a stage: may one more datagram come in (`datagram`; refused ones are
 * dropped and counted), must stream readers pause now (`stream`; a stage may ask them to long
 * before it would refuse a datagram, since a paused sender loses nothing), and must paused
 * readers still wait (`resume`, a lower mark, so readers do not flap at the limit).
 */
export type AdmissionQuestion = 'datagram' | 'stream' | 'resume';

export interface Stage {
  readonly name: string;
  /** Records held in memory. */
  readonly depth: number;
  /** The batch's records, as this stage's sink writes them (archive lines, rows). */
  enqueue(batch: PreparedBatch): void;
  /**
   * Null while the answer to `question` is yes, else why not. `arriving`: records already
   * admitted that have not reached the stage yet (datagrams being parsed), which count as held.
   */
  refusal(question: AdmissionQuestion, arriving?: number): Refusal | null;
  /** Resolves once the sink is open or a first attempt failed in a retriable way. */
  start(): Promise<void>;
  /** Puts every queued record where it belongs; resolves when nothing is left in memory. */
  drain(): Promise<void>;
  close(): Promise<void>;
  /** Gives up at once; returns how many records stay unstored. */
  destroy(): number;
  health(): SinkHealth;
}
