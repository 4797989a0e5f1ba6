/**
 * A TCP listener (RFC 6587). Each connection has its own framer and error listener, so a
 * client that resets or sends garbage affects no one else. Reads pause while the pipeline is
 * full (TCP input is never dropped by the collector: the sender's kernel holds the bytes).
 *
 * Connections accepted before the sinks are open wait unread (`pauseOnConnect`) until
 * `startReading()`. On stop the listener closes at once, open connections are read until the
 * peer closes them or the grace period ends, then destroyed.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Intake } from '../pipeline/intake.js';
import type { Logger, RateLimitedLog } from '../log.js';
import type { ReceiveMeta } from '../record.js';
import { TcpFramer } from './framing.js';
import { normalizeSourceIp, type ListenAddress } from './listen-address.js';
import { ListenError } from './listen-error.js';

export interface TcpReceiverOptions {
  intake: Intake;
  maxMessageSize: number;
  log: Logger;
  warnings: RateLimitedLog;
}

interface Connection {
  socket: Socket;
  framer: TcpFramer;
  meta: Omit<ReceiveMeta, 'receivedAt'>;
}

export class TcpReceiver {
  readonly address: ListenAddress;
  /** What this listener handed on: frames (messages) and the bytes read from its socket. */
  readonly counters = { messages: 0, bytes: 0 };
  readonly #options: TcpReceiverOptions;
  readonly #listener: string;
  readonly #connections = new Set<Connection>();
  readonly #paused = new Set<Connection>();
  #server: Server | null = null;
  #port = 0;
  #reading = false;
  #stopResumeListener: (() => void) | null = null;

  constructor(address: ListenAddress, options: TcpReceiverOptions) {
    this.address = address;
    this.#options = options;
    this.#listener = `tcp://${address.text}`;
  }

  get port(): number {
    return this.#port;
  }

  /** `tcp://HOST:PORT` as configured: the `listener` of records and metrics. */
  get listener(): string {
    return this.#listener;
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  async bind(): Promise<void> {
    const server = createServer({ pauseOnConnect: true, noDelay: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) => reject(new ListenError('tcp', this.address.text, error)));
      server.listen({ port: this.address.port, host: this.address.host,
        ipv6Only: this.address.family === 6 }, () => resolve());
    });
    server.removeAllListeners('error');
    server.on('error', (error) => this.#options.log.error({ err: error,
      listener: this.#listener }, 'tcp server error'));
    server.on('connection', (socket) => this.#accept(socket));

    this.#server = server;
    this.#port = (server.address() as { port: number }).port;
    this.#stopResumeListener = this.#options.intake.pipeline.onResume(() => this.#resumeAll());
    this.#options.log.info({ transport: 'tcp', address: this.address.host, port: this.#port,
      listener: this.#listener }, 'listening');
  }

  /** Sinks are open: read every connection accepted so far and every later one. */
  startReading(): void {
    this.#reading = true;
    for (const connection of this.#connections) this.#resume(connection);
  }

  /** Stops accepting; open connections keep being read. */
  stopAccepting(): void {
    this.#server?.close();
  }

  /**
   * Waits until every open connection is closed by its peer, at most `graceMs`; then destroys
   * the rest, keeping what their framers hold (a final line without trailer is a message).
   */
  async closeConnections(graceMs: number): Promise<void> {
    const deadline = Date.now() + graceMs;
    while (this.#connections.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(50, graceMs)));
    }
    for (const connection of [...this.#connections]) {
      connection.socket.destroy();
      this.#finish(connection);
    }
    this.#stopResumeListener?.();
  }

  #accept(socket: Socket): void {
    const connection: Connection = {
      socket,
      framer: new TcpFramer({ maxFrameSize: this.#options.maxMessageSize }),
      meta: { sourceIp: normalizeSourceIp(socket.remoteAddress ?? ''),
        sourcePort: socket.remotePort ?? 0, transport: 'tcp', listener: this.#listener },
    };
    this.#connections.add(connection);

    socket.on('data', (chunk: Buffer) => this.#read(connection, chunk));
    socket.on('end', () => this.#finish(connection));
    socket.on('close', () => this.#finish(connection));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.#options.warnings.warn('tcp-connection-error', { source_ip: connection.meta.sourceIp,
        code: error.code, listener: this.#listener }, 'tcp connection error');
    });
    if (this.#reading) this.#resume(connection);
  }

  #read(connection: Connection, chunk: Buffer): void {
    const { intake } = this.#options;
    const meta: ReceiveMeta = { ...connection.meta, receivedAt: new Date() };
    const emptyBefore = connection.framer.emptyFrames;
    this.counters.bytes += chunk.length;

    const frames = connection.framer.push(chunk);
    this.counters.messages += frames.length;
    for (const frame of frames) intake.streamFrame(frame.bytes, meta, frame.truncated);
    const empty = connection.framer.emptyFrames - emptyBefore;
    if (empty > 0) intake.stats.drop('empty', empty);

    if (intake.pipeline.full) {
      connection.socket.pause();
      this.#paused.add(connection);
    }
  }

  /** Delivers what the framer still holds and forgets the connection; safe to call twice. */
  #finish(connection: Connection): void {
    if (!this.#connections.delete(connection)) return;
    this.#paused.delete(connection);

    const { intake } = this.#options;
    const end = connection.framer.end();
    const meta: ReceiveMeta = { ...connection.meta, receivedAt: new Date() };
    this.counters.messages += end.frames.length;
    for (const frame of end.frames) intake.streamFrame(frame.bytes, meta, frame.truncated);
    if (end.partialBytes > 0) {
      intake.stats.drop('partial_frame');
      this.#options.warnings.warn('partial-frame', { source_ip: connection.meta.sourceIp,
        bytes: end.partialBytes }, 'partial frame dropped at end of stream');
    }
  }

  #resume(connection: Connection): void {
    if (this.#options.intake.pipeline.full) {
      this.#paused.add(connection);
      return;
    }
    connection.socket.resume();
  }

  #resumeAll(): void {
    if (!this.#reading) return;
    for (const connection of [...this.#paused]) {
      this.#paused.delete(connection);
      connection.socket.resume();
    }
  }
}
