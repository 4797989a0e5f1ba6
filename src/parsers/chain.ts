/**
 * The parser chain: one frame (terminator already removed) plus its receive metadata in, one
 * record out. It never throws on input: text it cannot read is kept whole as `unparsed`.
 *
 * Text is decoded once for the whole frame. That is equivalent to decoding field by field,
 * because every delimiter the grammars use (SP, `<`, `>`, `[`, `]`, `"`, `:`) is ASCII and
 * can be neither part of a valid multi-byte sequence nor the windows-1252 reading of one.
 */
import {
  DEFAULT_FACILITY, DEFAULT_SEVERITY, type LogRecord, type ReceiveMeta,
} from '../record.js';
import type { ZoneClock } from '../zone-clock.js';
import { parsePri } from './pri.js';
import { parseRfc3164 } from './rfc3164.js';
import { parseRfc5424 } from './rfc5424.js';
import { decodeText } from './text.js';

export interface ParserChainOptions {
  /** The zone of `--timezone`: stamps without a zone are read in it. */
  clock: ZoneClock;
}

export class ParserChain {
  readonly #clock: ZoneClock;

  constructor(options: ParserChainOptions) {
    this.#clock = options.clock;
  }

  parse(frame: Buffer, meta: ReceiveMeta): LogRecord {
    const record = emptyRecord(frame, meta);
    const decoded = decodeText(frame);
    if (decoded.fallback) record.fields.encoding = 'windows-1252';
    const text = decoded.text;

    const pri = parsePri(text);
    if (pri.kind === 'invalid') {
      record.fields.pri_invalid = pri.evidence;
      return unparsed(record, text);
    }

    let start = 0;
    if (pri.kind === 'missing') record.fields.pri_missing = true;
    else {
      record.facility = pri.facility;
      record.severity = pri.severity;
      if (pri.leadingZero) record.fields.pri_leading_zero = true;
      start = pri.end;
      if (text.startsWith('1 ', start) && parseRfc5424(text, start, record)) return record;
    }

    const header = parseRfc3164(text, start, record, this.#clock);
    if (pri.kind === 'missing' && !header.hasTimestamp) return unparsed(record, text);
    return record;
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
