/**
 * Where receivers hand over what they read: a stream's reads and the datagrams go to parsing
 * (on parse threads, or inline), and each outcome is counted and queued here, once for every
 * transport. Receivers own sockets only.
 *
 * Bounds: stream readers wait while the pipeline is full or parsing is busy (`full`).
 * Datagrams cannot wait: one is refused, dropped and counted, when the pipeline refuses
 * records or when DATAGRAM_LIMIT_BYTES of them are still being parsed.
 */
import type { Transport } from '../record.js';
import { RECORD_FORMATS } from '../record.js';
import type { DropReason, Stats } from '../stats.js';
import type { WatchedHosts } from '../watched-hosts.js';
import type { Parsing } from './parsing.js';
import type { Pipeline } from './pipeline.js';
import type { Datagram, ParseOutcome, StreamMeta } from './preparer.js';
import type { Tally } from './prepared-batch.js';

export interface IntakeOptions {
  parsing: Parsing;
  pipeline: Pipeline;
  stats: Stats;
  /** Hosts whose last message time is reported (`--watch-host`). */
  watched?: WatchedHosts;
}

/** What a stream's reader hears of each outcome, once it has been counted and queued. */
export type StreamListener = (outcome: ParseOutcome) => void;

/**
 * Datagrams go to parsing in batches: of this many, or this many bytes, or what came within
 * DATAGRAM_BATCH_MS of the first. A hand-over to a parse thread (a message each way, a thread
 * woken) costs more than parsing a datagram: handed over each turn of the event loop, a few
 * at a time, 20,000 datagrams a second took twice the CPU.
 */
const DATAGRAM_BATCH = 256;
const DATAGRAM_BATCH_BYTES = 64 * 1024;
const DATAGRAM_BATCH_MS = 10;
/** Some 100,000 datagrams of a typical size: the queue's default, in bytes. */
const DATAGRAM_LIMIT_BYTES = 16 * 1024 * 1024;

export class Intake {
  readonly pipeline: Pipeline;
  readonly stats: Stats;
  readonly #parsing: Parsing;
  readonly #watched: WatchedHosts | null;
  #datagrams: Datagram[] = [];
  #datagramBytes = 0;
  #flushTimer: NodeJS.Timeout | null = null;
  /** Datagrams admitted that have not reached the pipeline yet. */
  #datagramsArriving = 0;

  constructor(options: IntakeOptions) {
    this.#parsing = options.parsing;
    this.#watched = options.watched ?? null;
    this.pipeline = options.pipeline;
    this.stats = options.stats;
  }

  /** True while stream readers must wait: a sink is behind, or parsing is. */
  get full(): boolean {
    return this.pipeline.full || this.#parsing.busy;
  }

  /** A reader waits without having queued anything: wake it like the others. */
  readerHeld(): void {
    this.pipeline.readerHeld();
  }

  /** Registers a function to call when readers that waited may read again. */
  onResume(listener: () => void): () => void {
    const stopPipeline = this.pipeline.onResume(listener);
    const stopParsing = this.#parsing.onCapacity(listener);
    return () => {
      stopPipeline();
      stopParsing();
    };
  }

  openStream(meta: StreamMeta, listener: StreamListener): number {
    return this.#parsing.openStream(meta, (outcome) => {
      this.#take(meta.transport, outcome);
      listener(outcome);
    });
  }

  /**
   * One read of a stream; `chunk` may be handed to a parse thread: do not use it after.
   * Datagrams that came before it go to parsing first, so records keep the order of reading.
   */
  streamChunk(stream: number, chunk: Buffer): void {
    this.#flushDatagrams();
    this.#parsing.streamChunk(stream, chunk, Date.now());
  }

  /** The stream ended; its listener hears the last outcome, then nothing more. */
  endStream(stream: number): void {
    this.#flushDatagrams();
    this.#parsing.endStream(stream, Date.now());
  }

  /**
   * A datagram's frame: dropped and counted when it cannot be taken now. Datagrams waiting
   * for parsing or being parsed count as held in memory, as they are.
   */
  datagram(datagram: Datagram): void {
    const refusal = this.pipeline.refusal(this.#datagramsArriving) ??
      (this.#parsing.bytesInFlight + this.#datagramBytes >= DATAGRAM_LIMIT_BYTES
        ? 'queue_full' : null);
    if (refusal !== null) {
      this.dropDatagram('udp', refusal);
      return;
    }
    this.#datagramsArriving += 1;
    this.#datagrams.push(datagram);
    this.#datagramBytes += datagram.frame.length;
    if (this.#datagrams.length >= DATAGRAM_BATCH || this.#datagramBytes >= DATAGRAM_BATCH_BYTES) {
      this.#flushDatagrams();
    } else if (this.#flushTimer === null) {
      this.#flushTimer = setTimeout(() => this.#flushDatagrams(), DATAGRAM_BATCH_MS);
    }
  }

  /** A datagram received but not kept (queue full, sender over its rate): counted only. */
  dropDatagram(transport: Transport, reason: DropReason): void {
    this.stats.received += 1;
    this.stats.receivedBy[transport] += 1;
    this.stats.lastReceivedAt = Date.now();
    this.stats.drop(reason);
  }

  /** Resolves once everything handed over so far is parsed, counted and queued. */
  settled(): Promise<void> {
    this.#flushDatagrams();
    return this.#parsing.settled();
  }

  #flushDatagrams(): void {
    if (this.#flushTimer !== null) clearTimeout(this.#flushTimer);
    this.#flushTimer = null;
    if (this.#datagrams.length === 0) return;
    const datagrams = this.#datagrams;
    this.#datagrams = [];
    this.#datagramBytes = 0;
    this.#parsing.datagrams(datagrams, (outcome) => {
      this.#datagramsArriving -= outcome.frames;
      this.#take('udp', outcome);
    });
  }

  #take(transport: Transport, outcome: ParseOutcome): void {
    this.#count(transport, outcome.tally);
    if (outcome.empty > 0) this.stats.drop('empty', outcome.empty);
    if (outcome.partialBytes > 0) this.stats.drop('partial_frame');
    if (outcome.batch !== null) this.pipeline.accept(outcome.batch);
  }

  #count(transport: Transport, tally: Tally): void {
    const { stats } = this;
    stats.received += tally.received;
    stats.receivedBy[transport] += tally.received;
    if (tally.lastReceivedAt > 0) stats.lastReceivedAt = tally.lastReceivedAt;
    for (let index = 0; index < RECORD_FORMATS.length; index += 1) {
      stats.parsed[RECORD_FORMATS[index]] += tally.parsed[index];
    }
    stats.encodingFallbacks += tally.encodingFallbacks;
    if (tally.truncated > 0) {
      stats.truncated += tally.truncated;
      stats.drop('truncated', tally.truncated);
    }
    for (const [host, at] of tally.watched) this.#watched?.noteHost(host, at);
  }
}
