/**
 * Reads the public corpus (`test/fixtures/corpus-public.jsonl`, copied from the shared
 * reference) and runs a case through the same framing and parsing path the receivers use.
 */
import { readFileSync } from 'node:fs';
import { ParserChain } from '../../src/parsers/chain.js';
import type { LogRecord, ReceiveMeta, Transport } from '../../src/record.js';
import { stripTerminator, TcpFramer } from '../../src/receiver/framing.js';
import { ZoneClock } from '../../src/zone-clock.js';

export type Expectation = Record<string, unknown>;

export interface CorpusCase {
  id: string;
  kind: string;
  transport: 'udp' | 'tcp-lf' | 'tcp-octet';
  raw_b64: string;
  chunks_b64?: string[];
  expect: Expectation | Expectation[];
}

export const DEFAULT_RECEIVED_AT = '2026-12-03T19:30:00.000Z';

export function loadCorpus(): CorpusCase[] {
  const url = new URL('../fixtures/corpus-public.jsonl', import.meta.url);
  return readFileSync(url, 'utf8').split('\n').filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as CorpusCase);
}

export function expectations(corpusCase: CorpusCase): Expectation[] {
  const expect = corpusCase.expect;
  if (Array.isArray(expect)) return expect;
  return expect.accept === false ? [] : [expect];
}

export interface CaseRun {
  records: LogRecord[];
  truncated: boolean[];
  emptyFrames: number;
  partialBytes: number;
}

export interface RunOptions {
  timeZone?: string;
  maxFrameSize?: number;
  chunks?: Buffer[];
}

/** Frames and parses a case as a receiver would: UDP datagram or TCP stream. */
export function runCase(corpusCase: CorpusCase, options: RunOptions = {}): CaseRun {
  const expect = expectations(corpusCase)[0] ?? {};
  const receivedAt = new Date(String(expect.received_at ?? DEFAULT_RECEIVED_AT));
  const chain = new ParserChain({ clock: new ZoneClock(options.timeZone ?? 'UTC') });
  const transport: Transport = corpusCase.transport === 'udp' ? 'udp' : 'tcp';
  const meta: ReceiveMeta = { sourceIp: '192.0.2.99', sourcePort: 40000, transport,
    listener: `${transport}://127.0.0.1:514`, receivedAt };
  const raw = Buffer.from(corpusCase.raw_b64, 'base64');
  const run: CaseRun = { records: [], truncated: [], emptyFrames: 0, partialBytes: 0 };

  if (transport === 'udp') {
    const frame = stripTerminator(raw);
    if (frame.length === 0) run.emptyFrames = 1;
    else run.records.push(chain.parse(frame, meta));
    return run;
  }

  const framer = new TcpFramer({ maxFrameSize: options.maxFrameSize ?? 65536 });
  const chunks = options.chunks ?? [raw];
  const frames = chunks.flatMap((chunk) => framer.push(chunk));
  const end = framer.end();
  for (const frame of [...frames, ...end.frames]) {
    run.records.push(chain.parse(frame.bytes, meta));
    run.truncated.push(frame.truncated);
  }
  run.emptyFrames = framer.emptyFrames;
  run.partialBytes = end.partialBytes;
  return run;
}

const CONTRACT_FIELDS: Record<string, string[]> = {
  snare: ['criticality', 'event_log', 'snare_counter', 'event_id', 'event_source', 'user',
    'sid_type', 'event_type', 'computer', 'category', 'data', 'expanded'],
  cisco: ['msg_count', 'seq', 'facility_mnemonic', 'cisco_severity', 'mnemonic', 'clock_flag'],
  openerp: ['db', 'level', 'logger', 'text'],
};

const SIMPLE_KEYS: Array<[string, (record: LogRecord) => unknown]> = [
  ['facility', (record) => record.facility],
  ['severity', (record) => record.severity],
  ['hostname', (record) => record.hostname],
  ['app_name', (record) => record.appName],
  ['procid', (record) => record.procId],
  ['msgid', (record) => record.msgId],
  ['structured_data', (record) => record.structuredData],
];

export interface Projection {
  actual: Record<string, unknown>;
  expected: Record<string, unknown>;
}

/**
 * Puts a record and a corpus expectation side by side on the keys the expectation asserts,
 * read through the mapping of DESIGN.md §3, so a test can compare them with one `t.same`.
 */
export function project(record: LogRecord, expect: Expectation): Projection {
  const ambiguous = new Set((expect.ambiguous as string[] | undefined) ?? []);
  const actual: Record<string, unknown> = {};
  const expected: Record<string, unknown> = {};

  for (const [key, read] of SIMPLE_KEYS) {
    if (!(key in expect) || ambiguous.has(key)) continue;
    expected[key] = expect[key];
    actual[key] = plain(read(record));
  }
  projectMessage(record, expect, ambiguous, { actual, expected });
  projectTimestamp(record, expect, { actual, expected });
  projectFields(record, expect, { actual, expected });

  if (typeof expect.pri_invalid === 'string') {
    expected.pri_invalid = expect.pri_invalid;
    actual.pri_invalid = record.fields.pri_invalid;
  }
  if (expect.pri_present === false) {
    expected.pri_present = false;
    actual.pri_present = record.fields.pri_missing !== true &&
      record.fields.pri_invalid === undefined;
  }
  return { actual, expected };
}

function projectMessage(record: LogRecord, expect: Expectation, ambiguous: Set<string>,
  projection: Projection): void {
  if ('message' in expect && !ambiguous.has('message')) {
    const message = (expect.message as string | null) ?? '';
    projection.expected.message = record.format === 'snare'
      ? message.replace(/^MSWinEventLog(\t|#011|\|| |,)/, '')
      : message;
    projection.actual.message = record.message;
  } else if (ambiguous.has('message') && typeof expect.raw_msg === 'string' &&
    (record.format === 'rfc3164' || record.format === 'unparsed')) {
    // No TAG convention: DESIGN.md §3 stores everything after the header, program NULL;
    // an unparsed record keeps the whole text, which is then also the corpus's raw_msg.
    projection.expected.message = expect.raw_msg;
    projection.expected.app_name = null;
    projection.actual.message = record.message;
    projection.actual.app_name = record.appName;
  }
}

function projectTimestamp(record: LogRecord, expect: Expectation, projection: Projection): void {
  if (!('timestamp' in expect)) return;
  const stamp = expect.timestamp as string | null;
  if (stamp !== null) {
    projection.expected.timestamp = Date.parse(stamp);
    projection.actual.timestamp = record.timestamp?.getTime() ?? null;
    return;
  }
  const local = expect.timestamp_local as string | undefined;
  if (local === undefined || expect.timestamp_reliable === false ||
    typeof expect.tz === 'string' && expect.tz !== 'unknown' && expect.tz !== 'UTC') {
    if (local === undefined) {
      projection.expected.timestamp = null;
      projection.actual.timestamp = record.timestamp?.getTime() ?? null;
    }
    return;
  }
  projection.expected.timestamp_local = local;
  projection.actual.timestamp_local = record.timestamp === null
    ? null
    : wallText(record.timestamp, local);
}

/** The record's stamp in UTC, shaped like the corpus's `MM-DDThh:mm:ss[.fff]`. */
function wallText(stamp: Date, like: string): string {
  const iso = stamp.toISOString();
  const withYear = /^\d{4}-/.test(like) ? iso.slice(0, 19) : iso.slice(5, 19);
  return like.includes('.') ? `${withYear}${iso.slice(19, 23)}` : withYear;
}

function projectFields(record: LogRecord, expect: Expectation, projection: Projection): void {
  const expectedFields = expect.fields as Record<string, unknown> | undefined;
  const keys = CONTRACT_FIELDS[record.format];
  if (expectedFields === undefined || keys === undefined) return;

  const source = (expectedFields[record.format] ?? expectedFields) as Record<string, unknown>;
  const expected: Record<string, unknown> = {};
  const actual: Record<string, unknown> = {};
  for (const key of keys) {
    if (!(key in source)) continue;
    expected[key] = source[key];
    actual[key] = record.fields[key];
  }
  projection.expected.fields = expected;
  projection.actual.fields = actual;
}

/** Null-prototype objects (structured data) compared as ordinary ones. */
function plain(value: unknown): unknown {
  return value !== null && typeof value === 'object' ? JSON.parse(JSON.stringify(value)) : value;
}
