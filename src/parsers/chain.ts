/**
 * The parser chain: one frame (terminator already removed) plus its receive metadata in, one
 * record out. It never throws on input: text it cannot read is kept whole as `unparsed`.
 *
 * Text is decoded once for the whole frame. That is equivalent to decoding field by field,
 * because every delimiter the grammars use (SP, TAB, `<`, `>`, `[`, `]`, `"`, `:`, `|`) is
 * ASCII and can be neither part of a valid multi-byte sequence nor the windows-1252 reading
 * of one.
 *
 * Order: RFC 5424 for `<PRI>1 `; Cisco before RFC 3164, which would take its message counter
 * for a TAG; then RFC 3164, inside which Snare, a relayed Cisco line and OpenERP are looked
 * for. Each of those starts with a cheap test (a marker in a bounded window, a first
 * character), so an ordinary message pays a few comparisons for them.
 *
 * The chain holds one piece of state, bounded: which host+program pairs last sent an OpenERP
 * file line (see `continuation.ts`).
 */
import {
  DEFAULT_FACILITY, DEFAULT_SEVERITY, type LogRecord, type ReceiveMeta,
} from '../record.js';
import { ZoneClock } from '../zone-clock.js';
import {
  mayBeCisco, mayBeRelayedCisco, parseCisco, recogniseCiscoIn5424, type CiscoContext,
} from './cisco.js';
import { ContinuationTracker } from './continuation.js';
import { recogniseOpenerp } from './openerp.js';
import { parsePri } from './pri.js';
import { parseRfc3164, type Rfc3164Header } from './rfc3164.js';
import { parseRfc5424 } from './rfc5424.js';
import { applySnareEvent, readSnareEvent, recogniseSnareIn5424 } from './snare.js';
import { decodeText } from './text.js';

export interface ParserChainOptions {
  /** The zone of `--timezone`: stamps without a zone are read in it. */
  clock: ZoneClock;
  /** How many host+program pairs the OpenERP continuation state remembers (10,000). */
  continuationKeys?: number;
}

export class ParserChain {
  readonly #clock: ZoneClock;
  readonly #cisco: CiscoContext;
  readonly #continuations: ContinuationTracker;

  constructor(options: ParserChainOptions) {
    this.#clock = options.clock;
    this.#cisco = { clock: options.clock, utc: new ZoneClock('UTC') };
    this.#continuations = new ContinuationTracker(options.continuationKeys);
  }

  /**
   * `asciiText`: the frame's text when the receiver already knows its bytes are all ASCII
   * (and so read alike by every decoding), e.g. a slice of a whole read decoded at once.
   */
  parse(frame: Buffer, meta: ReceiveMeta, asciiText?: string): LogRecord {
    const record = emptyRecord(frame, meta);
    const text = asciiText ?? this.#decode(frame, record);

    const pri = parsePri(text);
    if (pri.kind === 'invalid') {
      record.fields.pri_invalid = pri.evidence;
      return unparsed(record, text);
    }
    if (pri.kind === 'missing') {
      record.fields.pri_missing = true;
      this.#parseWithoutPri(text, record);
    } else {
      record.facility = pri.facility;
      record.severity = pri.severity;
      if (pri.leadingZero) record.fields.pri_leading_zero = true;
      this.#parseAfterPri(text, pri.end, record);
    }
    this.#continuations.observe(record);
    return record;
  }

  #decode(frame: Buffer, record: LogRecord): string {
    const decoded = decodeText(frame);
    if (decoded.fallback) record.fields.encoding = 'windows-1252';
    return decoded.text;
  }

  #parseAfterPri(text: string, start: number, record: LogRecord): void {
    if (text.startsWith('1 ', start) && parseRfc5424(text, start, record)) {
      if (!recogniseSnareIn5424(record) && !recogniseCiscoIn5424(record)) {
        recogniseOpenerp(record);
      }
      return;
    }
    const direct = { text, start, relayStampAt: null };
    if (mayBeCisco(text, start) && parseCisco(direct, record, this.#cisco)) return;

    const header = parseRfc3164(text, start, record, this.#clock);
    this.#recogniseIn3164(text, start, header, record);
  }

  /** Native Snare has no PRI; other PRI-less text must at least have a stamp to be RFC 3164. */
  #parseWithoutPri(text: string, record: LogRecord): void {
    const snare = readSnareEvent(text, 0);
    if (snare !== null) {
      applySnareEvent(record, snare);
      return;
    }
    const header = parseRfc3164(text, 0, record, this.#clock);
    if (header.hasTimestamp) this.#recogniseIn3164(text, 0, header, record);
    else if (!recogniseOpenerp(record)) unparsed(record, text);
  }

  /**
   * Snare and a relayed Cisco line never follow the `TAG:` convention, so a message that did
   * is only checked for OpenERP, whose file lines arrive behind a TAG.
   */
  #recogniseIn3164(text: string, start: number, header: Rfc3164Header,
    record: LogRecord): void {
    const content = header.contentStart;
    if (record.appName === null) {
      const snare = readSnareEvent(text, content);
      if (snare !== null) {
        applySnareEvent(record, snare);
        return;
      }
    }
    if (header.hasTimestamp && content > start && mayBeRelayedCisco(text, content)) {
      const relayed = { text, start: content, relayStampAt: start };
      if (parseCisco(relayed, record, this.#cisco)) return;
    }
    recogniseOpenerp(record);
  }
}

function emptyRecord(frame: Buffer, meta: ReceiveMeta): LogRecord {
  return {
    meta,
    raw: frame,
    facility: DEFAULT_FACILITY,
    severity: DEFAULT_SEVERITY,
    timestamp: null,
    hostname: null,
    appName: null,
    procId: null,
    msgId: null,
    structuredData: null,
    message: '',
    format: 'unparsed',
    fields: {},
  };
}

/** Keeps the whole text, PRI included, and interprets none of it. */
function unparsed(record: LogRecord, text: string): LogRecord {
  record.format = 'unparsed';
  record.appName = null;
  record.procId = null;
  record.message = text;
  return record;
}
