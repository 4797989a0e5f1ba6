/**
 * Where receivers hand over frames: parse, count, queue. Receivers own sockets and framing
 * only; everything a frame turns into is decided here, once for every transport.
 */
import type { ParserChain } from '../parsers/chain.js';
import { flagTruncated, type ReceiveMeta, type Transport } from '../record.js';
import type { DropReason, Stats } from '../stats.js';
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
      this.dropDatagram(meta.transport, refusal);
      return;
    }
    this.pipeline.accept(this.#parse(frame, meta, truncated));
  }

  /** A datagram received but not kept (queue full, sender over its rate): counted only. */
  dropDatagram(transport: Transport, reason: DropReason): void {
    this.#count(transport, Date.now());
    this.stats.drop(reason);
  }

  /**
   * A stream's frame: always queued; the reader checks `pipeline.full` and pauses.
   * `asciiText` is the frame's text when the reader decoded an all-ASCII read at once.
   */
  streamFrame(frame: Buffer, meta: ReceiveMeta, truncated: boolean, asciiText?: string): void {
    this.pipeline.accept(this.#parse(frame, meta, truncated, asciiText));
  }

  #count(transport: Transport, receivedAt: number): void {
    this.stats.received += 1;
    this.stats.receivedBy[transport] += 1;
    this.stats.lastReceivedAt = receivedAt;
  }

  #parse(frame: Buffer, meta: ReceiveMeta, truncated: boolean, asciiText?: string) {
    this.#count(meta.transport, meta.receivedAt.getTime());
    const record = this.#parser.parse(frame, meta, asciiText);
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
