/**
 * A stream listener: TCP (RFC 6587) or, with `tls` settings, TLS (RFC 5425). Each connection
 * has its own stream in the intake (its own framer) and its own error listener, so a client
 * that resets or sends garbage affects no one else. Reads pause while the pipeline or parsing
 * is full and while the sender is over its `--rate-limit` (stream input is never dropped by
 * the collector: the sender's kernel holds the bytes).
 *
 * Every accepted connection is checked before a byte is read or a handshake starts: a sender
 * outside `--allow` is closed and counted `acl`; one over a connection cap is closed and
 * counted. A connection that sends nothing for `--idle-timeout` is closed (time spent paused by
 * the collector itself does not count as idle).
 *
 * Connections accepted before the sinks are open wait unread until `startReading()`. On stop
 * the listener closes at once, open connections are read until the peer closes them or the
 * grace period ends, then destroyed.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { Intake } from '../pipeline/intake.js';
import type { Logger, RateLimitedLog } from '../log.js';
import type { ParseOutcome, StreamMeta } from '../pipeline/preparer.js';
import type { AccessList } from './access.js';
import type { ConnectionLimits } from './connection-limits.js';
import { normalizeSourceIp, type ListenAddress } from './listen-address.js';
import { ListenError } from './listen-error.js';
import type { SenderRateLimiter } from './sender-rate-limiter.js';
import { TlsTerminator, type TlsSettings } from './tls.js';

export interface TcpReceiverOptions {
  intake: Intake;
  log: Logger;
  warnings: RateLimitedLog;
  access: AccessList;
  limits: ConnectionLimits;
  rateLimiter: SenderRateLimiter | null;
  /** 0: connections may stay silent forever. */
  idleTimeoutMs: number;
  /** Present for a TLS listener. */
  tls?: TlsSettings;
}

interface Connection {
  socket: Socket;
  /** The intake's stream: framing and parsing happen there, maybe on another thread. */
  stream: number;
  meta: StreamMeta;
  /**
   * Paused until the pipeline or parsing takes more, or (with `--rate-limit`) until the
   * outcome of the read in flight says what the sender spent.
   */
  held: boolean;
  /** Reads (and the end) handed to the intake whose outcome has not come back. */
  inFlight: number;
  /** Paused until the sender's token bucket is out of debt. */
  rateTimer: NodeJS.Timeout | null;
  /** Reads that arrived while the pipeline was full, not parsed yet (see #read). */
  waiting: Buffer[];
}

export class TcpReceiver {
  readonly address: ListenAddress;
  /** What this listener handed on: frames (messages) and the bytes read from its socket. */
  readonly counters = { messages: 0, bytes: 0 };
  /** Connections closed by `--idle-timeout`. */
  idleClosed = 0;

  readonly #options: TcpReceiverOptions;
  readonly #transport: 'tcp' | 'tls';
  readonly #listener: string;
  readonly #tls: TlsTerminator | null;
  readonly #connections = new Set<Connection>();
  #server: Server | null = null;
  #port = 0;
  #reading = false;
  #stopResumeListener: (() => void) | null = null;

  /** For TLS, reads the certificate files now (TlsSetupError when they cannot be used). */
  constructor(address: ListenAddress, options: TcpReceiverOptions) {
    this.address = address;
    this.#options = options;
    this.#transport = options.tls === undefined ? 'tcp' : 'tls';
    this.#listener = `${this.#transport}://${address.text}`;
    this.#tls = options.tls === undefined ? null : new TlsTerminator(options.tls, {
      log: options.log, warnings: options.warnings, listener: this.#listener,
      readFile: (path) => readFileSync(path),
      onSecureConnection: (socket) => this.#accept(socket),
    });
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

  get tls(): TlsTerminator | null {
    return this.#tls;
  }

  async bind(): Promise<void> {
    const server = createServer({ pauseOnConnect: true, noDelay: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) => reject(new ListenError(this.#transport, this.address.text,
        error)));
      server.listen({ port: this.address.port, host: this.address.host,
        ipv6Only: this.address.family === 6 }, () => resolve());
    });
    server.removeAllListeners('error');
    server.on('error', (error) => this.#options.log.error({ err: error,
      listener: this.#listener }, 'tcp server error'));
    server.on('connection', (socket) => this.#admit(socket));

    this.#server = server;
    this.#port = (server.address() as { port: number }).port;
    this.#stopResumeListener = this.#options.intake.onResume(() => this.#resumeAll());
    this.#options.log.info({ transport: this.#transport, address: this.address.host,
      port: this.#port, listener: this.#listener }, 'listening');
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

  /** Checks a new TCP connection against `--allow` and the caps before anything is read. */
  #admit(socket: Socket): void {
    const sourceIp = normalizeSourceIp(socket.remoteAddress ?? '');
    const { access, limits, warnings } = this.#options;
    if (!access.admit(sourceIp, this.#listener)) {
      socket.destroy();
      return;
    }
    const refusal = limits.admit(sourceIp);
    if (refusal !== null) {
      warnings.warn('connection-limit', { source_ip: sourceIp, limit: refusal,
        listener: this.#listener }, 'connection refused: limit reached');
      socket.destroy();
      return;
    }

    socket.once('close', () => limits.release(sourceIp));
    if (this.#tls === null) {
      this.#accept(socket);
      return;
    }
    // Errors after the handshake reach the TLS socket's listener; this one covers the
    // handshake itself, which the terminator counts and logs.
    socket.on('error', () => socket.destroy());
    this.#tls.upgrade(socket);
  }

  #accept(socket: Socket): void {
    const meta: StreamMeta = { sourceIp: normalizeSourceIp(socket.remoteAddress ?? ''),
      sourcePort: socket.remotePort ?? 0, transport: this.#transport, listener: this.#listener };
    const connection: Connection = { socket, stream: 0, meta, held: false, inFlight: 0,
      rateTimer: null, waiting: [] };
    connection.stream = this.#options.intake.openStream(meta,
      (outcome) => this.#parsed(connection, outcome));
    this.#connections.add(connection);

    socket.pause();
    socket.on('data', (chunk: Buffer) => this.#read(connection, chunk));
    socket.on('end', () => this.#finish(connection));
    socket.on('close', () => this.#finish(connection));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.#options.warnings.warn(`${this.#transport}-connection-error`, {
        source_ip: connection.meta.sourceIp, code: error.code, listener: this.#listener,
      }, 'connection error');
    });
    if (this.#options.idleTimeoutMs > 0) {
      socket.setTimeout(this.#options.idleTimeoutMs);
      socket.on('timeout', () => this.#idle(connection));
    }
    if (this.#reading) this.#resume(connection);
  }

  /**
   * A read that arrives while the pipeline (or parsing) is full waits, unparsed, until it
   * takes records again: one poll of the event loop reads every ready connection once, and
   * 1,000 connections each turning a 64 KiB read (some 400 messages) into records would put
   * hundreds of thousands of records past `--queue-size`.
   */
  #read(connection: Connection, chunk: Buffer): void {
    if (connection.waiting.length > 0 || this.#mustWait(connection)) {
      connection.waiting.push(chunk);
      this.#hold(connection);
      return;
    }
    this.#take(connection, chunk);
  }

  /**
   * Whether the connection's next read must wait: the pipeline or parsing is full, or a
   * rate-limited sender's last read is still being parsed (parsed on another thread, its
   * messages are counted against the sender only when it comes back; reading on meanwhile
   * would take in a whole burst before the limit is applied).
   */
  #mustWait(connection: Connection): boolean {
    return this.#options.intake.full ||
      (this.#options.rateLimiter !== null && connection.inFlight > 0);
  }

  #take(connection: Connection, chunk: Buffer): void {
    this.counters.bytes += chunk.length;
    connection.inFlight += 1;
    this.#options.intake.streamChunk(connection.stream, chunk);
    if (this.#connections.has(connection) && this.#mustWait(connection)) this.#hold(connection);
  }

  /** A read (or the end) of the connection was parsed and queued: what it means for us. */
  #parsed(connection: Connection, outcome: ParseOutcome): void {
    connection.inFlight -= 1;
    this.counters.messages += outcome.frames;
    if (outcome.partialBytes > 0) {
      this.#options.warnings.warn('partial-frame', { source_ip: connection.meta.sourceIp,
        bytes: outcome.partialBytes }, 'partial frame dropped at end of stream');
    }
    if (!this.#connections.has(connection)) return;

    const pauseMs = this.#options.rateLimiter?.spendStream(connection.meta.sourceIp,
      outcome.frames) ?? 0;
    if (pauseMs > 0) this.#holdForRate(connection, pauseMs);
    // Held for this outcome (see #mustWait): read on, from the next turn, not from inside it.
    else if (connection.held && this.#options.rateLimiter !== null) {
      setImmediate(() => this.#resume(connection));
    }
  }

  #holdForRate(connection: Connection, pauseMs: number): void {
    connection.socket.pause();
    if (connection.rateTimer !== null) clearTimeout(connection.rateTimer);
    this.#options.warnings.warn('rate-limit-stream', { source_ip: connection.meta.sourceIp,
      pause_ms: pauseMs, listener: this.#listener }, 'sender over --rate-limit, reads paused');
    connection.rateTimer = setTimeout(() => {
      connection.rateTimer = null;
      this.#resume(connection);
    }, pauseMs);
  }

  #hold(connection: Connection): void {
    connection.socket.pause();
    connection.held = true;
    this.#options.intake.readerHeld();
  }

  /** Reads again unless the collector still holds the connection for another reason. */
  #resume(connection: Connection): void {
    if (!this.#reading || connection.rateTimer !== null) return;
    if (!this.#takeWaiting(connection)) return;
    connection.held = false;
    // The idle clock restarts: time paused by the collector is not the sender's silence.
    if (this.#options.idleTimeoutMs > 0) connection.socket.setTimeout(this.#options.idleTimeoutMs);
    connection.socket.resume();
  }

  /**
   * Hands over the reads that waited, in order; false (the connection held) once it must wait
   * again or the sender's rate holds it, true when it may read again.
   */
  #takeWaiting(connection: Connection): boolean {
    for (;;) {
      if (this.#mustWait(connection)) {
        this.#hold(connection);
        return false;
      }
      const chunk = connection.waiting.shift();
      if (chunk === undefined) return true;
      this.#take(connection, chunk);
      if (connection.rateTimer !== null) return false;
    }
  }

  #resumeAll(): void {
    for (const connection of this.#connections) {
      if (connection.held) this.#resume(connection);
    }
  }

  #idle(connection: Connection): void {
    const held = !this.#reading || connection.held || connection.rateTimer !== null;
    if (held) return;
    this.idleClosed += 1;
    this.#options.warnings.warn('idle-timeout', { source_ip: connection.meta.sourceIp,
      listener: this.#listener }, 'idle connection closed');
    connection.socket.destroy();
    this.#finish(connection);
  }

  /**
   * Delivers the reads that waited and what the framer still holds, and forgets the
   * connection; safe to call twice.
   */
  #finish(connection: Connection): void {
    if (!this.#connections.delete(connection)) return;
    for (const chunk of connection.waiting.splice(0)) this.#take(connection, chunk);
    if (connection.rateTimer !== null) clearTimeout(connection.rateTimer);
    connection.rateTimer = null;
    connection.inFlight += 1;
    this.#options.intake.endStream(connection.stream);
  }
}
