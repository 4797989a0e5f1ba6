/**
 * Links OpenERP continuation lines to the record they continue. A traceback logged to an
 * OpenERP log file reaches the collector one line per message, and only the first line has an
 * OpenERP header; the others (`Traceback ...`, `  File ...`, `KeyError: ...`) keep their
 * envelope's format and get `fields.continuation = true` when the same host and program last
 * sent an OpenERP file line or a continuation of one. The old `notifyChannel` API splits a
 * multi-line text into records `[01]: ...`, `[02]: ...`, each with a full header: they stay
 * OpenERP records, and from `[02]` on they are flagged as continuations the same way.
 *
 * State: the host+program keys whose last message was such a line, at most `capacity` of them;
 * the one dropped first is the oldest not seen again since (a second-chance approximation of
 * least recently used, so a repeated key costs one lookup and no reordering). A key stays
 * until evicted: every later header-less line from that program is a continuation, because an
 * OpenERP log file holds nothing else. A `--syslog` key only links numbered records: Python
 * sends a whole traceback as one datagram, and a TAG-less envelope gives no program to tell
 * senders apart, so a header-less line after it is not taken for a continuation.
 */
import type { LogRecord } from '../record.js';
import { isDigitCode } from './chars.js';

export const DEFAULT_CONTINUATION_KEYS = 10_000;

/** What the last OpenERP record of a key was: a file line, or a `--syslog` record. */
type Source = 'file' | 'syslog';

interface Entry {
  source: Source;
  program: string;
  /** Seen again since it was last moved to the recent end: spared once by eviction. */
  seen: boolean;
}

export class ContinuationTracker {
  readonly #capacity: number;
  /** Oldest first. Eviction gives a second chance to keys seen again (CLOCK, close to LRU). */
  readonly #keys = new Map<string, Entry>();
  /** How many keys each program has: most messages are from untracked programs. */
  readonly #programs = new Map<string, number>();

  constructor(capacity: number = DEFAULT_CONTINUATION_KEYS) {
    this.#capacity = Math.max(1, capacity);
  }

  get size(): number {
    return this.#keys.size;
  }

  /** Records `record` in the state and marks it when it continues an OpenERP record. */
  observe(record: LogRecord): void {
    const program = record.appName ?? '';
    if (record.format === 'openerp') {
      const key = keyOf(record, program);
      if (isLaterPart(record.fields.text) && this.#keys.has(key)) {
        record.fields.continuation = true;
      }
      const source = record.fields.oe_format === 'openerp-syslog-handler' ? 'syslog' : 'file';
      this.#touch(key, source, program);
      return;
    }
    // Most collectors never see OpenERP: then no lookup at all (a program's hash is not free).
    if (this.#programs.size === 0 || !this.#programs.has(program) ||
      (record.format !== 'rfc3164' && record.format !== 'rfc5424')) return;
    const key = keyOf(record, program);
    const entry = this.#keys.get(key);
    if (entry?.source !== 'file') return;
    record.fields.continuation = true;
    entry.seen = true;
  }

  #touch(key: string, source: Source, program: string): void {
    const entry = this.#keys.get(key);
    if (entry !== undefined) {
      entry.source = source;
      entry.seen = true;
      return;
    }
    // Evict before inserting, or a new key behind a run of seen ones would go first.
    if (this.#keys.size >= this.#capacity) this.#evictOne();
    this.#keys.set(key, { source, program, seen: false });
    this.#count(program, 1);
  }

  /** Drops the oldest key not seen since it was last moved; seen ones move to the end. */
  #evictOne(): void {
    for (const [key, entry] of this.#keys) {
      this.#keys.delete(key);
      if (!entry.seen) {
        this.#count(entry.program, -1);
        return;
      }
      entry.seen = false;
      this.#keys.set(key, entry);
    }
  }

  #count(program: string, change: number): void {
    const count = (this.#programs.get(program) ?? 0) + change;
    if (count === 0) this.#programs.delete(program);
    else this.#programs.set(program, count);
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

/**
 * The row's host (header name, else sender address) and program. A host name is one token of
 * the header, so it holds no space: the separator cannot be part of it.
 */
function keyOf(record: LogRecord, program: string): string {
  const host = record.hostname ?? record.meta.sourceIp;
  return `${host} ${program}`;
}
