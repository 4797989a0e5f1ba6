// The load generator: a worker thread that sends pre-generated messages (bench/lib/workload.mjs)
// to 127.0.0.1 over UDP or TCP, at a fixed rate or as fast as the socket takes them. A thread of
// its own, so the runner's polling never delays a send, and generation and connecting happen
// before go() starts the clock.
//
//   UDP: one datagram per message from one connected socket. At a fixed rate, sends are paced
//        every millisecond to the count due by then, so there is no start burst; at maximum
//        rate, sends go out back to back, yielding to the event loop every BURST datagrams.
//   TCP: `connections` connections, each sending its own contiguous share of the messages,
//        framed with LF or RFC 6587 octet counting, written in large chunks with backpressure
//        (a batching forwarder's way) or paced like UDP; each connection is ended after its
//        last message.
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { buildMessages } from './workload.mjs';

const BURST = 256;
const CHUNK_BYTES = 256 * 1024;
const PACE_MS = 1;
/** Connections opened at once: a thousand SYNs together overflow a listen backlog. */
const CONNECT_BATCH = 100;

/**
 * A load ready to go: `spec` is { transport, port, count, mix, hosts, run, stampMs, rate
 * (messages/s, 0 = maximum), connections, framing ('lf' | 'octet') }.
 */
export class Load {
  #worker;
  #replies;

  constructor(worker) {
    this.#worker = worker;
    this.#replies = new MessageQueue(worker);
  }

  /** Generates the messages and opens the connections; resolves when go() can start. */
  static async prepare(spec) {
    const load = new Load(new Worker(new URL(import.meta.url), { workerData: spec }));
    await load.#replies.next('ready');
    return load;
  }

  /** Sends everything; resolves with { sent, firstAt, lastAt } (epoch ms of the sends). */
  go() {
    this.#worker.postMessage('go');
    const done = this.#replies.next('done');
    // Callers await it only after draining the outputs: marked as handled, a failed send
    // surfaces there, inside their cleanup, instead of ending the process with the systems
    // under test still running.
    done.catch(() => undefined);
    return done;
  }

  async close() {
    await this.#worker.terminate();
  }
}

/** Replies of the worker, in order; a worker error rejects the one awaited. */
class MessageQueue {
  #waiting = null;
  #failure = null;

  constructor(worker) {
    worker.on('message', (message) => this.#settle(null, message));
    worker.on('error', (error) => this.#settle(error, null));
  }

  next(type) {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#waiting = { type, resolve, reject };
    });
  }

  #settle(error, message) {
    const waiting = this.#waiting;
    this.#waiting = null;
    if (error !== null) this.#failure = error;
    if (waiting === null) return;
    if (error !== null) waiting.reject(error);
    else if (message.type === 'failed') waiting.reject(new Error(message.error));
    else if (message.type === waiting.type) waiting.resolve(message);
    else waiting.reject(new Error(`load generator said ${message.type}, not ${waiting.type}`));
  }
}

// ------------------------------------------------------------------------ the worker ---

async function workerMain(spec) {
  const messages = buildMessages(spec);
  const sender = spec.transport === 'udp' ? await udpSender(spec, messages)
    : await tcpSender(spec, messages);
  parentPort.postMessage({ type: 'ready' });
  await new Promise((resolve) => parentPort.once('message', resolve));
  const firstAt = Date.now();
  await sender.send(pacer(spec.rate, firstAt));
  parentPort.postMessage({ type: 'done', sent: spec.count, firstAt, lastAt: Date.now() });
}

/** How many messages are due by now at `rate` per second (all of them when rate is 0). */
function pacer(rate, startedAt) {
  return rate > 0 ? () => Math.floor(((Date.now() - startedAt) * rate) / 1000) : () => Infinity;
}

async function udpSender(spec, { bytes, ends }) {
  const socket = createSocket('udp4');
  await new Promise((resolve) => socket.connect(spec.port, '127.0.0.1', resolve));
  // A connected UDP socket hears ICMP port-unreachable as an error: the receiver went away.
  socket.on('error', (error) => parentPort.postMessage({ type: 'failed', error: error.message }));
  return {
    async send(due) {
      let start = 0;
      for (let index = 0; index < ends.length;) {
        const until = Math.min(ends.length, due(), index + BURST);
        for (; index < until; index += 1) {
          socket.send(bytes.subarray(start, ends[index]));
          start = ends[index];
        }
        if (index >= due()) await sleep(PACE_MS);
        else await yieldToLoop();
      }
      await new Promise((resolve) => socket.close(resolve));
    },
  };
}

async function tcpSender(spec, messages) {
  const connections = Math.max(1, Math.min(spec.connections ?? 1, spec.count));
  const shares = [];
  const share = Math.ceil(spec.count / connections);
  for (let first = 0; first < spec.count; first += share) {
    shares.push(framed(messages, first, Math.min(spec.count, first + share), spec.framing));
  }
  const sockets = [];
  for (let at = 0; at < shares.length; at += CONNECT_BATCH) {
    sockets.push(...await Promise.all(shares.slice(at, at + CONNECT_BATCH)
      .map(() => openConnection(spec.port))));
  }
  return {
    async send(due) {
      const perConnection = () => due() / shares.length;
      await Promise.all(shares.map((frames, index) =>
        writeFrames(sockets[index], frames, perConnection)));
    },
  };
}

function openConnection(port) {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, noDelay: true }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/**
 * Messages [first, last) framed for a stream: `{ bytes, ends }` where ends[i] is the end of
 * frame i. LF: the message and a LF; octet counting: `LENGTH SP` and the message.
 */
function framed({ bytes, ends }, first, last, framing) {
  const start = (index) => (index === 0 ? 0 : ends[index - 1]);
  const frames = [];
  const frameEnds = new Uint32Array(last - first);
  let length = 0;
  for (let index = first; index < last; index += 1) {
    const message = bytes.subarray(start(index), ends[index]);
    const head = framing === 'octet' ? Buffer.from(`${message.length} `) : null;
    if (head !== null) frames.push(head);
    frames.push(message);
    if (framing !== 'octet') frames.push(LF);
    length += message.length + (head === null ? 1 : head.length);
    frameEnds[index - first] = length;
  }
  return { bytes: Buffer.concat(frames, length), ends: frameEnds };
}

const LF = Buffer.from('\n');

/** Writes the frames due (perConnection() of them by now), chunked, then ends the stream. */
async function writeFrames(socket, { bytes, ends }, perConnection) {
  let written = 0;
  let frames = 0;
  while (frames < ends.length) {
    const due = Math.min(ends.length, Math.floor(perConnection()));
    if (due <= frames) {
      await sleep(PACE_MS);
      continue;
    }
    const until = Math.min(ends[due - 1], written + CHUNK_BYTES);
    if (!socket.write(bytes.subarray(written, until))) await drained(socket);
    written = until;
    while (frames < ends.length && ends[frames] <= written) frames += 1;
  }
  await new Promise((resolve) => socket.end(resolve));
}

function drained(socket) {
  return new Promise((resolve, reject) => {
    const fail = (error) => {
      socket.off('drain', done);
      reject(error);
    };
    const done = () => {
      socket.off('error', fail);
      resolve();
    };
    socket.once('drain', done);
    socket.once('error', fail);
  });
}

if (!isMainThread && workerData?.transport !== undefined) await workerMain(workerData);
