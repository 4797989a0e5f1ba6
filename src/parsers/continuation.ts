/**
 * Links OpenERP continuation lines to the record they continue. A traceback logged to an
 * OpenERP log file reaches the collector one line per message, and only the first line has an
 * OpenERP header; the others (`Traceback ...`, `  File ...`, `KeyError: ...`) keep their
 * envelope's format and get `fields.continuation = true` when the same host and program last
 * sent an OpenERP file line or a continuation of one. The old `notifyChannel` API splits a
 * multi-line text into records `[01]: ...`, `[02]: ...`, each with a full header: they stay
 * OpenERP records, and from `[02]` on they are flagged as continuations the same way.
 *
 * State: the host+program keys whose last message was such a line, most recent last, at most
 * `capacity` of them (least recently seen dropped first). A key stays until evicted: every
 * later header-less line from that program is a continuation, because an OpenERP log file
 * holds nothing else. A `--syslog` key only links numbered records: Python sends a whole
 * traceback as one datagram, and a TAG-less envelope gives no program to tell senders apart,
 * so a header-less line after it is not taken for a continuation.
 */
import type { LogRecord } from '../record.js';
import { isDigitCode } from './chars.js';

export const DEFAULT_CONTINUATION_KEYS = 10_000;

/** What the last OpenERP record of a key was: a file line, or a `--syslog` record. */
type Source = 'file' | 'syslog';

export class ContinuationTracker {
  readonly #capacity: number;
  readonly #keys = new Map<string, Source>();
  #newest: string | null = null;

  constructor(capacity: number = DEFAULT_CONTINUATION_KEYS) {
    this.#capacity = Math.max(1, capacity);
  }

  get size(): number {
    return this.#keys.size;
  }

  /** Records `record` in the state and marks it when it continues an OpenERP record. */
  observe(record: LogRecord): void {
    if (record.format === 'openerp') {
      const key = keyOf(record);
      if (isLaterPart(record.fields.text) && this.#keys.has(key)) {
        record.fields.continuation = true;
      }
      this.#touch(key, record.fields.oe_format === 'openerp-syslog-handler' ? 'syslog' : 'file');
      return;
    }
    if (this.#keys.size === 0 || (record.format !== 'rfc3164' && record.format !== 'rfc5424')) {
      return;
    }
    const key = keyOf(record);
    if (this.#keys.get(key) !== 'file') return;
    record.fields.continuation = true;
    this.#touch(key, 'file');
  }

  /** Moves `key` to the most recent end, evicting the least recent key when over capacity. */
  #touch(key: string, source: Source): void {
    // A log file arrives as a run of lines from one program: that key is already the newest.
    if (key === this.#newest && this.#keys.get(key) === source) return;
    this.#newest = key;
    this.#keys.delete(key);
    this.#keys.set(key, source);
    if (this.#keys.size > this.#capacity) {
      const oldest = this.#keys.keys().next().value as string;
      this.#keys.delete(oldest);
    }
  }
}

/** `[NN]: ` with NN from 02: a later part of a record that `notifyChannel` split. */
function isLaterPart(text: unknown): boolean {
  if (typeof text !== 'string' || text.charCodeAt(0) !== 0x5b) return false;
  const close = text.indexOf(']: ', 1);
  if (close < 3 || close > 6) return false;
  for (let index = 1; index < close; index += 1) {
    if (!isDigitCode(text.charCodeAt(index))) return false;
  }
  return Number(text.slice(1, close)) >= 2;
}

/** The row's host (header name, else sender address) and program, which cannot hold a NUL. */
function keyOf(record: LogRecord): string {
  const host = record.hostname ?? record.meta.sourceIp;
  return `${host}\u0000${record.appName ?? ''}`;
}
