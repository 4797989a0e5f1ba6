/**
 * A UDP listener (RFC 5426): one datagram is one message, whatever LFs it holds. UDP input is
 * at most once: a datagram the kernel drops before we read it is lost (counted from
 * /proc/net/udp as `udp_buffer`), one that arrives while the queue is full is counted
 * `queue_full`. A large receive buffer absorbs bursts while the event loop is busy.
 *
 * Before a datagram is framed or parsed, its sender is checked: outside `--allow` it is dropped
 * and counted `acl` (not `received`); over its `--rate-limit` it is received, dropped and counted
 * `rate_limit`.
 */
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import type { Intake } from '../pipeline/intake.js';
import type { Logger, RateLimitedLog } from '../log.js';
import type { ReceiveMeta } from '../record.js';
import type { AccessList } from './access.js';
import { stripTerminator } from './framing.js';
import { normalizeSourceIp, type ListenAddress } from './listen-address.js';
import { ListenError } from './listen-error.js';
import type { SenderRateLimiter } from './sender-rate-limiter.js';

export interface UdpReceiverOptions {
  intake: Intake;
  maxMessageSize: number;
  log: Logger;
  warnings: RateLimitedLog;
  access: AccessList;
  rateLimiter: SenderRateLimiter | null;
  /** Requested SO_RCVBUF; the kernel may grant less (net.core.rmem_max). */
  receiveBufferBytes?: number;
}

export const DEFAULT_UDP_RECEIVE_BUFFER = 8 * 1024 * 1024;

export class UdpReceiver {
  readonly address: ListenAddress;
  /** What this listener handed on: frames (messages) and the bytes read from its socket. */
  readonly counters = { messages: 0, bytes: 0 };
  readonly #options: UdpReceiverOptions;
  readonly #listener: string;
  #socket: Socket | null = null;
  #port = 0;

  constructor(address: ListenAddress, options: UdpReceiverOptions) {
    this.address = address;
    this.#options = options;
    this.#listener = `udp://${address.text}`;
  }

  get port(): number {
    return this.#port;
  }

  /** `udp://HOST:PORT` as configured: the `listener` of records and metrics. */
  get listener(): string {
    return this.#listener;
  }

  async bind(): Promise<void> {
    const socket = createSocket({
      type: this.address.family === 6 ? 'udp6' : 'udp4',
      ipv6Only: this.address.family === 6,
      recvBufferSize: this.#options.receiveBufferBytes ?? DEFAULT_UDP_RECEIVE_BUFFER,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', (error) => reject(new ListenError('udp', this.address.text, error)));
      socket.bind(this.address.port, this.address.host, () => resolve());
    });
    socket.removeAllListeners('error');
    socket.on('error', (error) => this.#options.log.error({ err: error,
      listener: this.#listener }, 'udp socket error'));
    socket.on('message', (message, remote) => this.#receive(message, remote.address,
      remote.port));

    this.#socket = socket;
    this.#port = socket.address().port;
    this.#options.log.info({ transport: 'udp', address: this.address.host, port: this.#port,
      listener: this.#listener, receive_buffer: socket.getRecvBufferSize() }, 'listening');
  }

  /** Datagrams the kernel dropped on this socket because its buffer was full. */
  kernelDrops(): number {
    if (this.#socket === null) return 0;
    return readUdpDrops(this.address.family, this.#port);
  }

  close(): Promise<void> {
    const socket = this.#socket;
    this.#socket = null;
    if (socket === null) return Promise.resolve();
    return new Promise((resolve) => socket.close(() => resolve()));
  }

  #receive(message: Buffer, remoteAddress: string, remotePort: number): void {
    const { intake, maxMessageSize, access, rateLimiter } = this.#options;
    const sourceIp = normalizeSourceIp(remoteAddress);
    if (!access.admit(sourceIp, this.#listener)) return;
    this.counters.bytes += message.length;
    if (rateLimiter !== null && !rateLimiter.admitDatagram(sourceIp)) {
      intake.dropDatagram('udp', 'rate_limit');
      this.#options.warnings.warn('rate-limit-datagram', { source_ip: sourceIp,
        listener: this.#listener }, 'sender over --rate-limit, datagram dropped');
      return;
    }

    const truncated = message.length > maxMessageSize;
    const frame = truncated ? message.subarray(0, maxMessageSize) : stripTerminator(message);
    if (frame.length === 0) {
      intake.stats.drop('empty');
      return;
    }

    const meta: ReceiveMeta = { sourceIp, sourcePort: remotePort, transport: 'udp',
      listener: this.#listener, receivedAt: new Date() };
    this.counters.messages += 1;
    intake.datagram({ frame, meta, truncated });
  }
}

/** Sums the `drops` column of /proc/net/udp[6] rows bound to `port` (0 off Linux). */
function readUdpDrops(family: 4 | 6, port: number): number {
  let table: string;
  try {
    table = readFileSync(family === 6 ? '/proc/net/udp6' : '/proc/net/udp', 'utf8');
  } catch {
    return 0; // not Linux, or /proc not mounted: the kernel's count is not available
  }
  const portHex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  let drops = 0;
  for (const row of table.split('\n').slice(1)) {
    const columns = row.trim().split(/\s+/);
    if (columns.length > 12 && columns[1].endsWith(portHex)) drops += Number(columns[12]);
  }
  return drops;
}
