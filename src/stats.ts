/**
 * The collector's counters: every message received, stored or dropped is counted here, and
 * `/stats.json` serves them as one flat object (DESIGN.md §7). Plain integer fields keep the
 * per-message cost to an increment.
 */
import { RECORD_FORMATS, type RecordFormat, type Transport } from './record.js';

export const DROP_REASONS = ['empty', 'partial_frame', 'truncated', 'queue_full', 'spool_full',
  'disk_full', 'acl', 'rate_limit', 'udp_buffer'] as const;

export type DropReason = typeof DROP_REASONS[number];

export type Gauges = Record<string, number>;

export class Stats {
  readonly startedAt: number;
  received = 0;
  readonly receivedBy: Record<Transport, number> = { udp: 0, tcp: 0, tls: 0 };
  readonly parsed = Object.fromEntries(RECORD_FORMATS.map((format) => [format, 0])) as
    Record<RecordFormat, number>;
  readonly dropped = Object.fromEntries(DROP_REASONS.map((reason) => [reason, 0])) as
    Record<DropReason, number>;
  truncated = 0;
  /** Messages whose bytes were not UTF-8 and were read as windows-1252. */
  encodingFallbacks = 0;
  /** Epoch ms of the last message received, 0 before the first. */
  lastReceivedAt = 0;
  storedSql = 0;
  storedArchive = 0;
  sqlRetries = 0;
  archiveRetries = 0;
  deadLetters = 0;
  readonly #gaugeSources: Array<() => Gauges> = [];

  constructor(now: number = Date.now()) {
    this.startedAt = now;
  }

  drop(reason: DropReason, count = 1): void {
    this.dropped[reason] += count;
  }

  /** Registers a function whose values join every snapshot (queue depth, spool size, ...). */
  addGauges(source: () => Gauges): void {
    this.#gaugeSources.push(source);
  }

  snapshot(now: number = Date.now()): Record<string, number> {
    const flat: Record<string, number> = {
      received: this.received,
      received_udp: this.receivedBy.udp,
      received_tcp: this.receivedBy.tcp,
      received_tls: this.receivedBy.tls,
    };
    for (const format of RECORD_FORMATS) flat[`parsed_${format}`] = this.parsed[format];
    flat.stored_sql = this.storedSql;
    flat.stored_archive = this.storedArchive;
    for (const reason of DROP_REASONS) flat[`dropped_${reason}`] = this.dropped[reason];
    flat.truncated = this.truncated;
    flat.encoding_fallbacks = this.encodingFallbacks;
    flat.sql_retries = this.sqlRetries;
    flat.archive_retries = this.archiveRetries;
    flat.dead_letters = this.deadLetters;
    // Counted from the start while nothing came, so "no messages for 10 minutes" also fires
    // for a collector that never received any.
    const last = this.lastReceivedAt === 0 ? this.startedAt : this.lastReceivedAt;
    flat.last_message_age_seconds = Math.max(0, Math.floor((now - last) / 1000));
    for (const source of this.#gaugeSources) Object.assign(flat, source());
    // After the gauges: the kernel's count of `udp_buffer` drops is one of them.
    flat.dropped_total = DROP_REASONS.reduce((sum, reason) => sum + flat[`dropped_${reason}`], 0);
    flat.uptime_seconds = Math.floor((now - this.startedAt) / 1000);
    return flat;
  }
}
