/**
 * Where receivers hand over frames: parse, count, queue. Receivers own sockets and framing
 * only; everything a frame turns into is decided here, once for every transport.
 */
import type { ParserChain } from '../parsers/chain.js';
import { flagTruncated, type ReceiveMeta } from '../record.js';
import type { Stats } from '../stats.js';
import type { WatchedHosts } from '../watched-hosts.js';
import type { Pipeline } from './pipeline.js';

export interface IntakeOptions {
  parser: ParserChain;
  pipeline: Pipeline;
  stats: Stats;
  /** Hosts whose last message time is reported (`--watch-host`). */
  watched?: WatchedHosts;
}

export class Intake {
  readonly pipeline: Pipeline;
  readonly stats: Stats;
  readonly #parser: ParserChain;
  readonly #watched: WatchedHosts | null;

  constructor(options: IntakeOptions) {
    this.#parser = options.parser;
    this.#watched = options.watched ?? null;
    this.pipeline = options.pipeline;
    this.stats = options.stats;
  }

  /** A datagram's frame: dropped and counted when the pipeline refuses records. */
  datagram(frame: Buffer, meta: ReceiveMeta, truncated: boolean): void {
    const refusal = this.pipeline.refusal();
    if (refusal !== null) {
      this.#count(meta);
      this.stats.drop(refusal);
      return;
    }
    this.pipeline.accept(this.#parse(frame, meta, truncated));
  }

  /** A stream's frame: always queued; the reader checks `pipeline.full` and pauses. */
  streamFrame(frame: Buffer, meta: ReceiveMeta, truncated: boolean): void {
    this.pipeline.accept(this.#parse(frame, meta, truncated));
  }

  #count(meta: ReceiveMeta): void {
    this.stats.received += 1;
    this.stats.receivedBy[meta.transport] += 1;
    this.stats.lastReceivedAt = meta.receivedAt.getTime();
  }

  #parse(frame: Buffer, meta: ReceiveMeta, truncated: boolean) {
    this.#count(meta);
    const record = this.#parser.parse(frame, meta);
    this.stats.parsed[record.format] += 1;
    if (record.fields.encoding !== undefined) this.stats.encodingFallbacks += 1;
    this.#watched?.note(record);
    if (truncated) {
      flagTruncated(record.fields, 'msg');
      this.stats.truncated += 1;
      this.stats.drop('truncated');
    }
    return record;
  }
}
