/**
 * Parsing on worker threads (`--parse-threads N`): the main thread reads sockets and writes
 * files, and the threads frame, parse and prepare the records (parse-thread.ts).
 *
 * What crosses between threads is chosen to cost little: a read goes over as its own buffer
 * (moved, not copied), and comes back as archive lines already encoded (moved too) and rows
 * for the table (copied, only when there is one). Profiles showed the main thread saturated
 * by parsing and formatting; a record copied back whole cost about as much as parsing it.
 *
 * Each stream stays with one thread, which keeps its framer; datagrams all go to one thread.
 * Outcomes are delivered in the order the work was handed in, whichever thread did it, so
 * records reach the sinks in the order they were read, as without threads. One difference
 * remains: the parser chain's OpenERP continuation memory is per thread, so a header-less line
 * that a sender's new connection brings to another thread before any OpenERP line is not
 * flagged `continuation` (a sender reconnecting to a quiet collector comes back to its
 * thread). Bytes in flight are bounded: past BUSY_BYTES, `busy` tells stream readers to wait,
 * and capacity listeners are called when half of that has been delivered.
 *
 * A parse thread that throws is a bug in the parser chain, which never throws on input: it is
 * reported to `onFailure`, as an uncaught exception on the main thread would be.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { Fifo } from './fifo.js';
import type { ParseOutcome } from './preparer.js';
import type { Datagram, PreparerSettings, StreamMeta } from './preparer.js';
import type { OutcomeListener, Parsing } from './parsing.js';

const THREAD = new URL('./parse-thread.js', import.meta.url);
/**
 * 16 reads of 64 KiB: enough to keep every thread busy, and what they hold (some 6,000
 * records once parsed) is little beside the stages' queues, which it can overshoot.
 */
const BUSY_BYTES = 1024 * 1024;
/** Most threads `auto` starts: past this, the main thread's reads and writes are the limit. */
const MAX_AUTO_THREADS = 4;

export type ThreadRequest =
  | { kind: 'open'; stream: number; meta: StreamMeta }
  | { kind: 'chunk'; stream: number; bytes: Uint8Array; receivedAt: number }
  | { kind: 'end'; stream: number; receivedAt: number }
  | { kind: 'datagrams'; pack: DatagramPack };

export type ThreadReply = { kind: 'ready' } | { kind: 'outcome'; outcome: ParseOutcome };

/** Datagrams as a few arrays and one buffer, cheaper to hand over than one object each. */
export interface DatagramPack {
  bytes: Uint8Array;
  ends: number[];
  sourceIps: string[];
  sourcePorts: number[];
  listeners: string[];
  receivedAt: number[];
  truncated: boolean[];
}

interface Job {
  bytes: number;
  onOutcome: OutcomeListener;
  /** Set when its thread answered; delivered once every earlier job's is. */
  outcome: ParseOutcome | null;
}

interface Thread {
  worker: Worker;
  /** A thread answers its work in the order it went in. */
  jobs: Job[];
  /** Open streams: a new one goes to the thread with the fewest. */
  streams: number;
}

export interface ParseThreadsOptions {
  threads: number;
  /** A thread failed (a parser bug) or ended: its work in flight is lost. */
  onFailure: (error: Error) => void;
}

/**
 * The number of threads `--parse-threads auto` means on this machine: one per core, none on a
 * single core, where a thread would only add the hand-over to the same work.
 */
export function autoParseThreads(cores: number = availableParallelism()): number {
  return cores < 2 ? 0 : Math.min(MAX_AUTO_THREADS, cores);
}

export class ParseThreads implements Parsing {
  readonly #settings: PreparerSettings;
  readonly #options: ParseThreadsOptions;
  readonly #threads: Thread[] = [];
  readonly #streams = new Map<number, { thread: Thread; onOutcome: OutcomeListener }>();
  readonly #capacityListeners = new Set<() => void>();
  /** Every job not delivered yet, in the order handed in. */
  readonly #order = new Fifo<Job>();
  #settledWaiters: Array<() => void> = [];
  #nextStream = 1;
  #bytesInFlight = 0;
  #jobsInFlight = 0;
  #wasBusy = false;
  #closing = false;

  constructor(settings: PreparerSettings, options: ParseThreadsOptions) {
    this.#settings = settings;
    this.#options = options;
  }

  get busy(): boolean {
    return this.#bytesInFlight >= BUSY_BYTES;
  }

  get bytesInFlight(): number {
    return this.#bytesInFlight;
  }

  async start(): Promise<void> {
    const ready: Array<Promise<void>> = [];
    for (let index = 0; index < this.#options.threads; index += 1) {
      const worker = new Worker(THREAD, { workerData: this.#settings });
      const thread: Thread = { worker, jobs: [], streams: 0 };
      this.#threads.push(thread);
      ready.push(this.#watch(thread));
    }
    await Promise.all(ready);
  }

  openStream(meta: StreamMeta, onOutcome: OutcomeListener): number {
    const stream = this.#nextStream;
    this.#nextStream += 1;
    const thread = this.#threadFor(meta.sourceIp);
    thread.streams += 1;
    this.#streams.set(stream, { thread, onOutcome });
    this.#post(thread, { kind: 'open', stream, meta });
    return stream;
  }

  streamChunk(stream: number, chunk: Buffer, receivedAt: number): void {
    const { thread, onOutcome } = this.#streamOf(stream);
    const bytes = ownBuffer(chunk);
    this.#submit(thread, { bytes: bytes.length, onOutcome, outcome: null },
      { kind: 'chunk', stream, bytes, receivedAt }, [bytes.buffer as ArrayBuffer]);
  }

  endStream(stream: number, receivedAt: number): void {
    const { thread, onOutcome } = this.#streamOf(stream);
    this.#streams.delete(stream);
    thread.streams -= 1;
    this.#submit(thread, { bytes: 0, onOutcome, outcome: null },
      { kind: 'end', stream, receivedAt }, []);
  }

  /**
   * Every datagram goes to the first thread: spread over threads by sender, datagrams of
   * different senders read in one batch would be stored sender by sender, not as they came.
   * One thread parses faster than the main thread receives datagrams.
   */
  datagrams(datagrams: Datagram[], onOutcome: OutcomeListener): void {
    const pack = packDatagrams(datagrams);
    this.#submit(this.#threads[0], { bytes: pack.bytes.length, onOutcome, outcome: null },
      { kind: 'datagrams', pack }, [pack.bytes.buffer as ArrayBuffer]);
  }

  /**
   * The thread with the fewest open streams; among equals, the sender's own, so that a sender
   * that reconnects while the collector is quiet comes back to the thread that remembers its
   * last OpenERP line (see continuation.ts; that memory is per thread).
   */
  #threadFor(sourceIp: string): Thread {
    const fewest = Math.min(...this.#threads.map((thread) => thread.streams));
    const candidates = this.#threads.filter((thread) => thread.streams === fewest);
    return candidates[hashOf(sourceIp) % candidates.length];
  }

  onCapacity(listener: () => void): () => void {
    this.#capacityListeners.add(listener);
    return () => this.#capacityListeners.delete(listener);
  }

  settled(): Promise<void> {
    if (this.#jobsInFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#settledWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.#closing = true;
    await Promise.all(this.#threads.map((thread) => thread.worker.terminate()));
  }

  /** Resolves when the thread is ready; afterwards, routes its outcomes and failures. */
  #watch(thread: Thread): Promise<void> {
    return new Promise((resolve, reject) => {
      let ready = false;
      thread.worker.on('message', (reply: ThreadReply) => {
        if (reply.kind === 'ready') {
          ready = true;
          resolve();
          return;
        }
        this.#answered(thread, reply.outcome);
      });
      thread.worker.on('error', (error) => {
        if (ready) this.#options.onFailure(new Error(`A parse thread failed: ${error.message}`,
          { cause: error }));
        else reject(error);
      });
      thread.worker.on('exit', (code) => {
        if (this.#closing) return;
        const error = new Error(`A parse thread ended (exit code ${code})`);
        if (ready) this.#options.onFailure(error);
        else reject(error);
      });
    });
  }

  #submit(thread: Thread, job: Job, request: ThreadRequest, transfer: ArrayBuffer[]): void {
    thread.jobs.push(job);
    this.#order.push(job);
    this.#jobsInFlight += 1;
    this.#bytesInFlight += job.bytes;
    if (this.busy) this.#wasBusy = true;
    this.#post(thread, request, transfer);
  }

  #post(thread: Thread, request: ThreadRequest, transfer: ArrayBuffer[] = []): void {
    thread.worker.postMessage(request, transfer);
  }

  /** A thread answered its oldest job: deliver every job, in order, that has its outcome. */
  #answered(thread: Thread, outcome: ParseOutcome): void {
    const job = thread.jobs.shift();
    if (job === undefined) return;
    job.outcome = withBuffers(outcome);
    for (let next = this.#order.peek(); next?.outcome; next = this.#order.peek()) {
      this.#order.shift();
      this.#deliver(next, next.outcome);
    }
  }

  #deliver(job: Job, outcome: ParseOutcome): void {
    this.#jobsInFlight -= 1;
    this.#bytesInFlight -= job.bytes;
    job.onOutcome(outcome);

    if (this.#wasBusy && this.#bytesInFlight < BUSY_BYTES / 2) {
      this.#wasBusy = false;
      for (const listener of [...this.#capacityListeners]) listener();
    }
    if (this.#jobsInFlight === 0) {
      for (const resolve of this.#settledWaiters.splice(0)) resolve();
    }
  }

  #streamOf(stream: number): { thread: Thread; onOutcome: OutcomeListener } {
    const open = this.#streams.get(stream);
    if (open === undefined) throw new Error(`Stream ${stream} is not open`);
    return open;
  }
}

/**
 * `bytes` on an ArrayBuffer of its own, which can be moved to another thread: a socket's read
 * usually is one; a slice of a shared pool is copied (a move would take the whole pool).
 */
export function ownBuffer(bytes: Uint8Array): Buffer {
  const whole = bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length &&
    bytes.buffer instanceof ArrayBuffer;
  if (whole) return Buffer.from(bytes.buffer, 0, bytes.length);
  const copy = Buffer.allocUnsafeSlow(bytes.length);
  copy.set(bytes);
  return copy;
}

/** A Uint8Array that crossed threads, as the Buffer it was. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

export function packDatagrams(datagrams: readonly Datagram[]): DatagramPack {
  const bytes = Buffer.allocUnsafeSlow(datagrams.reduce((sum, d) => sum + d.frame.length, 0));
  const pack: DatagramPack = { bytes, ends: [], sourceIps: [], sourcePorts: [], listeners: [],
    receivedAt: [], truncated: [] };
  let end = 0;
  for (const { frame, meta, truncated } of datagrams) {
    bytes.set(frame, end);
    end += frame.length;
    pack.ends.push(end);
    pack.sourceIps.push(meta.sourceIp);
    pack.sourcePorts.push(meta.sourcePort);
    pack.listeners.push(meta.listener);
    pack.receivedAt.push(meta.receivedAt.getTime());
    pack.truncated.push(truncated);
  }
  return pack;
}

export function unpackDatagrams(pack: DatagramPack): Datagram[] {
  const bytes = asBuffer(pack.bytes);
  const datagrams: Datagram[] = [];
  let start = 0;
  for (let index = 0; index < pack.ends.length; index += 1) {
    const end = pack.ends[index];
    datagrams.push({ frame: bytes.subarray(start, end), truncated: pack.truncated[index],
      meta: { sourceIp: pack.sourceIps[index], sourcePort: pack.sourcePorts[index],
        transport: 'udp', listener: pack.listeners[index],
        receivedAt: new Date(pack.receivedAt[index]) } });
    start = end;
  }
  return datagrams;
}

/** The archive chunks of an outcome that came from a thread, as Buffers again. */
function withBuffers(outcome: ParseOutcome): ParseOutcome {
  for (const group of outcome.batch?.archive ?? []) {
    group.chunk.bytes = asBuffer(group.chunk.bytes);
  }
  return outcome;
}

/**
 * The buffer of an outcome's archive chunks, to move rather than copy: BatchBuilder puts them
 * all in one buffer of their own (encodeLineGroups).
 */
export function transferablesOf(outcome: ParseOutcome): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const group of outcome.batch?.archive ?? []) {
    buffers.add(group.chunk.bytes.buffer as ArrayBuffer);
  }
  return [...buffers];
}

/** A cheap, stable spread of sender addresses over threads. */
function hashOf(text: string): number {
  let hash = 0;
  for (let index = 0; index < text.length; index += 1) {
    hash = (hash * 31 + text.charCodeAt(index)) >>> 0;
  }
  return hash;
}
