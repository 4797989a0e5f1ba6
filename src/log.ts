/**
 * The collector's own log: pino, JSON lines on stdout, written synchronously so that nothing
 * is lost when the process exits right after an event (DEPS.md §6: an asynchronous
 * destination loses its buffer on an unhandled signal). Volume is low: per-message events go
 * through `RateLimitedLog`.
 */
import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function createLogger(level: string, destination: number | string = 1): Logger {
  return pino({ level, base: { name: 'logharbor' } },
    pino.destination({ dest: destination, sync: true }));
}

/**
 * Lets through at most `limit` events per key in each window and reports how many were held
 * back when the next window opens, so a flood of bad messages costs a few log lines.
 */
export class RateLimitedLog {
  readonly #log: Logger;
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #windows = new Map<string, { start: number; count: number }>();

  constructor(log: Logger, options: { limit?: number; windowMs?: number } = {}) {
    this.#log = log;
    this.#limit = options.limit ?? 10;
    this.#windowMs = options.windowMs ?? 60_000;
  }

  warn(key: string, fields: object, message: string, now: number = Date.now()): void {
    const window = this.#windows.get(key);
    if (window === undefined || now - window.start >= this.#windowMs) {
      const suppressed = window === undefined ? 0 : Math.max(0, window.count - this.#limit);
      this.#windows.set(key, { start: now, count: 1 });
      this.#log.warn(suppressed > 0 ? { ...fields, suppressed } : fields, message);
      return;
    }
    window.count += 1;
    if (window.count <= this.#limit) this.#log.warn(fields, message);
  }
}
