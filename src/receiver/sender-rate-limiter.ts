/**
 * `--rate-limit` and `--rate-burst`: a token bucket per sender address, shared by every
 * listener, so one flooding sender cannot take the capacity of the others. A bucket holds at
 * most `burst` tokens and refills at `rate` tokens per second; one message costs one token.
 *
 * Datagrams take a token or are refused (the receiver drops and counts them). Streams spend
 * tokens for the frames already read and may go into debt: the reader then pauses for as long
 * as the refill takes, so TCP/TLS senders are slowed, never dropped.
 *
 * The table is bounded (`maxSenders`): when it is full the least recently seen sender is
 * forgotten, and if it comes back it starts with a full bucket again. With the default bound
 * that takes more distinct live senders than a collector serves.
 */

export interface SenderRateLimiterOptions {
  /** Messages per second per sender. */
  rate: number;
  /** Tokens a bucket holds: how many messages a quiet sender may send at once. */
  burst: number;
  maxSenders?: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

const DEFAULT_MAX_SENDERS = 65_536;

export class SenderRateLimiter {
  /** Times a stream reader was paused to repay its sender's debt. */
  streamPauses = 0;

  readonly #rate: number;
  readonly #burst: number;
  readonly #maxSenders: number;
  /** Insertion order is recency order: a touched bucket is moved to the end. */
  readonly #buckets = new Map<string, Bucket>();

  constructor(options: SenderRateLimiterOptions) {
    this.#rate = options.rate;
    this.#burst = options.burst;
    this.#maxSenders = options.maxSenders ?? DEFAULT_MAX_SENDERS;
  }

  get senders(): number {
    return this.#buckets.size;
  }

  /** One datagram: true when the sender had a token for it. */
  admitDatagram(sender: string, now: number = Date.now()): boolean {
    const bucket = this.#refilled(sender, now);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Frames a stream has read; returns how long its reader must pause (0: not at all). */
  spendStream(sender: string, frames: number, now: number = Date.now()): number {
    const bucket = this.#refilled(sender, now);
    bucket.tokens -= frames;
    if (bucket.tokens >= 0) return 0;

    this.streamPauses += 1;
    return Math.ceil((-bucket.tokens * 1000) / this.#rate);
  }

  #refilled(sender: string, now: number): Bucket {
    let bucket = this.#buckets.get(sender);
    if (bucket === undefined) {
      bucket = { tokens: this.#burst, updatedAt: now };
      this.#evictIfFull();
    } else {
      this.#buckets.delete(sender);
      const elapsed = Math.max(0, now - bucket.updatedAt);
      bucket.tokens = Math.min(this.#burst, bucket.tokens + (elapsed * this.#rate) / 1000);
      bucket.updatedAt = now;
    }
    this.#buckets.set(sender, bucket);
    return bucket;
  }

  #evictIfFull(): void {
    if (this.#buckets.size < this.#maxSenders) return;
    const oldest = this.#buckets.keys().next().value;
    if (oldest !== undefined) this.#buckets.delete(oldest);
  }
}
