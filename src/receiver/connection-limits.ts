/**
 * `--max-connections` and `--max-connections-per-sender`, counted over every TCP and TLS
 * listener together: the caps protect the process (file descriptors, framer buffers), which
 * all listeners share. A connection over a cap is closed as soon as it is accepted, before any
 * byte is read or a TLS handshake starts. Connections still in their TLS handshake count.
 */

export interface ConnectionLimitsOptions {
  maxConnections: number;
  maxPerSender: number;
}

export type ConnectionRefusal = 'max_connections' | 'max_connections_per_sender';

export class ConnectionLimits {
  /** Connections closed at accept because a cap was reached. */
  refused = 0;

  readonly #options: ConnectionLimitsOptions;
  readonly #bySender = new Map<string, number>();
  #open = 0;

  constructor(options: ConnectionLimitsOptions) {
    this.#options = options;
  }

  get open(): number {
    return this.#open;
  }

  /** Takes a slot for a new connection from `sender`, or says which cap refuses it. */
  admit(sender: string): ConnectionRefusal | null {
    const fromSender = this.#bySender.get(sender) ?? 0;
    const refusal = this.#open >= this.#options.maxConnections ? 'max_connections'
      : fromSender >= this.#options.maxPerSender ? 'max_connections_per_sender'
        : null;
    if (refusal !== null) {
      this.refused += 1;
      return refusal;
    }

    this.#open += 1;
    this.#bySender.set(sender, fromSender + 1);
    return null;
  }

  /** Gives back the slot of a connection `admit` accepted; call once per connection. */
  release(sender: string): void {
    const fromSender = this.#bySender.get(sender) ?? 0;
    if (fromSender <= 1) this.#bySender.delete(sender);
    else this.#bySender.set(sender, fromSender - 1);
    this.#open = Math.max(0, this.#open - 1);
  }
}
