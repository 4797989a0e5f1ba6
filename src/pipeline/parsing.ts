/**
 * Where the intake sends bytes to be framed, parsed and prepared for the sinks, and how the
 * outcomes come back: `ParseThreads` (parse-threads.ts) does it on worker threads,
 * `InlineParsing` on the main thread (`--parse-threads 0`). Either way, the outcomes of one
 * stream come back in the order its reads went in, and each once.
 */
import {
  Preparer, type Datagram, type ParseOutcome, type PreparerSettings, type StreamMeta,
} from './preparer.js';

export type OutcomeListener = (outcome: ParseOutcome) => void;

export interface Parsing {
  /** Resolves once work can be taken; rejects when a parse thread cannot start. */
  start(): Promise<void>;
  /** A new stream; its outcomes, the last one after `endStream`, go to `onOutcome`. */
  openStream(meta: StreamMeta, onOutcome: OutcomeListener): number;
  /** One read of the stream. `chunk` may be handed to another thread: do not use it after. */
  streamChunk(stream: number, chunk: Buffer, receivedAt: number): void;
  /** The stream ended: what its framer holds is delivered, then the stream is forgotten. */
  endStream(stream: number, receivedAt: number): void;
  datagrams(datagrams: Datagram[], onOutcome: OutcomeListener): void;
  /** True while more bytes are being parsed than should be: stream readers wait. */
  readonly busy: boolean;
  /** Bytes handed in whose outcome has not come back yet. */
  readonly bytesInFlight: number;
  /** Registers a function to call when `busy` turns false; returns its unsubscribe. */
  onCapacity(listener: () => void): () => void;
  /** Resolves once every outcome of the work handed in so far has been delivered. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/** Parsing on the calling thread: each outcome is delivered before the call returns. */
export class InlineParsing implements Parsing {
  readonly busy = false;
  readonly bytesInFlight = 0;
  readonly #preparer: Preparer;
  readonly #listeners = new Map<number, OutcomeListener>();
  #nextStream = 1;

  constructor(settings: PreparerSettings) {
    this.#preparer = new Preparer(settings);
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  openStream(meta: StreamMeta, onOutcome: OutcomeListener): number {
    const stream = this.#nextStream;
    this.#nextStream += 1;
    this.#preparer.openStream(stream, meta);
    this.#listeners.set(stream, onOutcome);
    return stream;
  }

  streamChunk(stream: number, chunk: Buffer, receivedAt: number): void {
    this.#listenerOf(stream)(this.#preparer.streamChunk(stream, chunk, receivedAt));
  }

  endStream(stream: number, receivedAt: number): void {
    const listener = this.#listenerOf(stream);
    this.#listeners.delete(stream);
    listener(this.#preparer.endStream(stream, receivedAt));
  }

  datagrams(datagrams: Datagram[], onOutcome: OutcomeListener): void {
    onOutcome(this.#preparer.datagrams(datagrams));
  }

  onCapacity(): () => void {
    return () => undefined;
  }

  settled(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  #listenerOf(stream: number): OutcomeListener {
    const listener = this.#listeners.get(stream);
    if (listener === undefined) throw new Error(`Stream ${stream} is not open`);
    return listener;
  }
}
