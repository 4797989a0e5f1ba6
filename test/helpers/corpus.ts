/**
 * Reads the public corpus (`test/fixtures/corpus-public.jsonl`, copied from the shared
 * reference) and runs a case through the same framing and parsing path the receivers use;
 * `parseLine` does the same for one frame written in a test.
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
  /** A chain that already saw earlier messages (OpenERP continuation state). */
  chain?: ParserChain;
}

/** Frames and parses a case as a receiver would: UDP datagram or TCP stream. */
export function runCase(corpusCase: CorpusCase, options: RunOptions = {}): CaseRun {
  const expect = expectations(corpusCase)[0] ?? {};
  const receivedAt = new Date(String(expect.received_at ?? DEFAULT_RECEIVED_AT));
  const chain = options.chain ??
    new ParserChain({ clock: new ZoneClock(options.timeZone ?? 'UTC') });
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

export interface ParseOptions {
  receivedAt?: string;
  timeZone?: string;
  chain?: ParserChain;
  sourceIp?: string;
}

/** Parses one frame as a receiver would; one chain per call unless one is passed in. */
export function parseLine(frame: string | Buffer, options: ParseOptions = {}): LogRecord {
  const meta: ReceiveMeta = {
    sourceIp: options.sourceIp ?? '192.0.2.10',
    sourcePort: 51514,
    transport: 'udp',
    listener: 'udp://0.0.0.0:514',
    receivedAt: new Date(options.receivedAt ?? DEFAULT_RECEIVED_AT),
  };
  const chain = options.chain ?? newChain(options.timeZone);
  const bytes = typeof frame === 'string' ? Buffer.from(frame, 'utf8') : frame;
  return chain.parse(bytes, meta);
}

export function newChain(timeZone = 'UTC', continuationKeys?: number): ParserChain {
  return new ParserChain({ clock: new ZoneClock(timeZone), continuationKeys });
}

/** The columns a format test checks, as plain data. */
export function view(record: LogRecord): Record<string, unknown> {
  return {
    format: record.format,
    facility: record.facility,
    severity: record.severity,
    timestamp: record.timestamp?.toISOString() ?? null,
    hostname: record.hostname,
    appName: record.appName,
    procId: record.procId,
    message: record.message,
    fields: record.fields,
  };
}

export const CONTRACT_FIELDS: Record<string, string[]> = {
  snare: ['criticality', 'event_log', 'snare_counter', 'event_id', 'event_source', 'user',
    'sid_type', 'event_type', 'computer', 'category', 'data', 'expanded'],
  cisco: ['msg_count', 'seq', 'facility_mnemonic', 'cisco_severity', 'mnemonic', 'clock_flag'],
  openerp: ['db', 'level', 'logger', 'text'],
};

/** Keys beyond the contract that the records carry too: corpus name, then record name. */
const EXTRA_FIELDS: Record<string, Array<[string, string]>> = {
  snare: [['datetime', 'event_time'], ['trailer', 'trailer'], ['trailer_kind', 'trailer_kind'],
    ['hostname_in_payload', 'hostname_in_payload'], ['tab_escape', 'delimiter']],
  cisco: [['text', 'text'], ['tz', 'tz'], ['origin_id', 'origin_id'], ['uptime', 'uptime'],
    ['stack_member', 'stack_member']],
  openerp: [['oe_timestamp_local', 'oe_time'], ['pid', 'pid'], ['product', 'product'],
    ['version', 'version'], ['format', 'oe_format'], ['real_pri', 'real_pri'],
    ['bom_in_tag', 'bom_in_tag'], ['reconstructed_line', 'reconstructed_line']],
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

/** Flags a hostile case expects, read from the record's `fields`. */
const FLAG_KEYS: Array<[string, (expect: Expectation, record: LogRecord) => [unknown, unknown]]> =
  [
    ['timestamp_valid', (expect, record) =>
      [expect.timestamp_text, record.fields.timestamp_invalid]],
    ['bom_but_invalid_utf8', (expect, record) =>
      [expect.bom_but_invalid_utf8, record.fields.bom_but_invalid_utf8]],
    ['app_name_too_long', (expect, record) =>
      [expect.app_name_too_long, record.fields.app_name_too_long]],
    ['sd_invalid', (_expect, record) => [true, typeof record.fields.sd_invalid === 'string']],
    ['message_encoding', (_expect, record) => ['windows-1252', record.fields.encoding]],
    ['pri_leading_zero', (expect, record) =>
      [expect.pri_leading_zero, record.fields.pri_leading_zero]],
  ];

export interface Projection {
  actual: Record<string, unknown>;
  expected: Record<string, unknown>;
  /** The expectation's keys that were compared (`fields.x` for a key inside `fields`). */
  checked: Set<string>;
}

/**
 * The format DESIGN.md §3 gives a case, when the expectation says: the Snare, Cisco and
 * OpenERP kinds, and cases of other kinds that carry their fields; undefined otherwise.
 */
export function expectedFormat(kind: string, expect: Expectation): string | undefined {
  const fields = expect.fields as Record<string, unknown> | undefined;
  if (typeof expect.pri_invalid === 'string') return 'unparsed';
  if (kind === 'snare' || fields?.snare !== undefined || fields?.event_id !== undefined) {
    return 'snare';
  }
  if (kind === 'cisco') return 'cisco';
  const layout = fields?.format;
  if (typeof layout === 'string' && layout.startsWith('openerp')) return 'openerp';
  return undefined;
}

/**
 * Puts a record and a corpus expectation side by side on the keys the expectation asserts,
 * read through the mapping of DESIGN.md §3, so a test can compare them with one `t.same`.
 */
export function project(record: LogRecord, expect: Expectation, kind = ''): Projection {
  const ambiguous = new Set((expect.ambiguous as string[] | undefined) ?? []);
  const projection: Projection = { actual: {}, expected: {}, checked: new Set(['ambiguous']) };
  const { actual, expected, checked } = projection;

  for (const [key, read] of SIMPLE_KEYS) {
    if (!(key in expect) || ambiguous.has(key)) continue;
    expected[key] = expect[key];
    actual[key] = plain(read(record));
    checked.add(key);
  }
  const format = expectedFormat(kind, expect);
  if (format !== undefined) {
    expected.format = format;
    actual.format = record.format;
  }
  projectMessage(record, expect, ambiguous, projection);
  projectTimestamp(record, expect, projection);
  projectFields(record, expect, projection);
  projectFlags(record, expect, projection);

  if (typeof expect.pri_invalid === 'string') {
    expected.pri_invalid = expect.pri_invalid;
    actual.pri_invalid = record.fields.pri_invalid;
    checked.add('pri_invalid');
  }
  if (expect.pri_present === false) {
    expected.pri_present = false;
    actual.pri_present = record.fields.pri_missing !== true &&
      record.fields.pri_invalid === undefined;
    checked.add('pri_present');
  }
  projectBom(record, expect, projection);
  return projection;
}

function projectMessage(record: LogRecord, expect: Expectation, ambiguous: Set<string>,
  projection: Projection): void {
  if ('message' in expect && !ambiguous.has('message')) {
    const message = (expect.message as string | null) ?? '';
    projection.expected.message = record.format === 'snare' ? snarePayload(message) : message;
    projection.actual.message = record.message;
    projection.checked.add('message');
    if (typeof expect.raw_msg === 'string') {
      projectTagAndMessage(record, expect.raw_msg, projection);
    }
  } else if (ambiguous.has('message') && typeof expect.raw_msg === 'string') {
    projectRawMessage(record, expect.raw_msg, projection);
  }
}

/**
 * No TAG convention: DESIGN.md §3 stores everything after the header, program NULL (an
 * OpenERP record keeps that envelope); an unparsed record keeps the whole text, which is then
 * also the corpus's raw_msg. A Snare record stores the payload after the marker.
 */
function projectRawMessage(record: LogRecord, rawMessage: string, projection: Projection): void {
  if (record.format === 'snare') {
    projection.expected.message = snarePayload(rawMessage);
    projection.actual.message = record.message;
    projection.checked.add('raw_msg');
    return;
  }
  if (record.format !== 'rfc3164' && record.format !== 'unparsed' &&
    record.format !== 'openerp') return;
  projection.checked.add('raw_msg');
  projection.expected.message = rawMessage;
  projection.expected.app_name = null;
  projection.actual.message = record.message;
  projection.actual.app_name = record.appName;
}

/** raw_msg is TAG[PID]: then the message: it starts with the program and ends with msg. */
function projectTagAndMessage(record: LogRecord, rawMessage: string,
  projection: Projection): void {
  projection.expected.raw_msg = { program: true, message: true };
  projection.actual.raw_msg = { program: rawMessage.startsWith(record.appName ?? ''),
    message: rawMessage.endsWith(record.message) };
  projection.checked.add('raw_msg');
}

/** The corpus writes Snare messages from `MSWinEventLog`; the record stores what follows it. */
export function snarePayload(message: string): string {
  const marker = message.indexOf('MSWinEventLog');
  if (marker === -1) return message;
  const rest = message.slice(marker + 'MSWinEventLog'.length);
  const delimiter = /^(\t|#011|\||,| )/.exec(rest);
  return delimiter === null ? rest : rest.slice(delimiter[0].length);
}

/**
 * `timestamp` is compared as an instant; `timestamp_local` as the wall clock in the test's
 * zone (UTC), which is also how a Cisco stamp with an admin zone label (`CET`) is read. A
 * Cisco `*` stamp is not real time: the record has none (the receive time is used).
 */
function projectTimestamp(record: LogRecord, expect: Expectation, projection: Projection): void {
  if (!('timestamp' in expect)) return;
  const stamp = expect.timestamp as string | null;
  const actualStamp = record.timestamp?.getTime() ?? null;
  projection.checked.add('timestamp');
  if (expect.timestamp_source === 'receiver') projection.checked.add('timestamp_source');
  if (stamp !== null) {
    projection.expected.timestamp = Date.parse(stamp);
    projection.actual.timestamp = actualStamp;
    return;
  }
  const local = expect.timestamp_local as string | undefined;
  const fields = expect.fields as Record<string, unknown> | undefined;
  if (local === undefined || fields?.clock_flag === '*') {
    projection.expected.timestamp = null;
    projection.actual.timestamp = actualStamp;
    if (local !== undefined) projectDeviceTime(record, local, projection);
    return;
  }
  projection.expected.timestamp_local = local;
  projection.actual.timestamp_local = record.timestamp === null
    ? null
    : wallText(record.timestamp, local);
  projection.checked.add('timestamp_local');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov',
  'Dec'];

/** A `*` stamp is kept as the device printed it (`Mar  1 00:01:02.345`): compared as wall text. */
function projectDeviceTime(record: LogRecord, local: string, projection: Projection): void {
  const text = String(record.fields.device_time ?? '');
  const match = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d\d:\d\d:\d\d(?:\.\d{3})?)$/.exec(text);
  projection.expected.device_time = local;
  projection.actual.device_time = match === null ? text
    : `${String(MONTHS.indexOf(match[1]) + 1).padStart(2, '0')}-${match[2].padStart(2, '0')}` +
      `T${match[3]}`;
  projection.checked.add('timestamp_local');
}

/** The record's stamp in UTC, shaped like the corpus's `MM-DDThh:mm:ss[.fff]`. */
function wallText(stamp: Date, like: string): string {
  const iso = stamp.toISOString();
  const withYear = /^\d{4}-/.test(like) ? iso.slice(0, 19) : iso.slice(5, 19);
  return like.includes('.') ? `${withYear}${iso.slice(19, 23)}` : withYear;
}

function projectFields(record: LogRecord, expect: Expectation, projection: Projection): void {
  const expectedFields = expect.fields as Record<string, unknown> | undefined;
  if (expectedFields === undefined) return;
  projection.checked.add('fields');
  if (expectedFields.format === 'continuation') {
    projection.expected.continuation = true;
    projection.actual.continuation = record.fields.continuation;
    projection.checked.add('fields.format');
    return;
  }
  const keys = CONTRACT_FIELDS[record.format];
  if (keys === undefined) return;

  const nested = expectedFields[record.format] !== undefined;
  const source = (nested ? expectedFields[record.format] : expectedFields) as
    Record<string, unknown>;
  const prefix = nested ? `fields.${record.format}.` : 'fields.';
  if (nested) projection.checked.add(`fields.${record.format}`);
  const expected: Record<string, unknown> = {};
  const actual: Record<string, unknown> = {};
  const pairs: Array<[string, string]> = [...keys.map((key): [string, string] => [key, key]),
    ...EXTRA_FIELDS[record.format] ?? []];
  for (const [corpusKey, recordKey] of pairs) {
    if (!(corpusKey in source)) continue;
    expected[recordKey] = source[corpusKey];
    actual[recordKey] = record.fields[recordKey];
    projection.checked.add(prefix + corpusKey);
  }
  if ('data_loss' in source) {
    expected.snare_incomplete = true;
    actual.snare_incomplete = record.fields.snare_incomplete;
    projection.checked.add(`${prefix}data_loss`);
  }
  projection.expected.fields = expected;
  projection.actual.fields = actual;
}

function projectFlags(record: LogRecord, expect: Expectation, projection: Projection): void {
  for (const [key, read] of FLAG_KEYS) {
    if (!(key in expect)) continue;
    if (key === 'message_encoding' && !String(expect[key]).includes('windows-1252')) continue;
    const [wanted, got] = read(expect, record);
    projection.expected[`flag_${key}`] = wanted;
    projection.actual[`flag_${key}`] = got;
    projection.checked.add(key);
    if (key === 'timestamp_valid') projection.checked.add('timestamp_text');
  }
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** `bom: true`: the frame has a BOM and the stored message does not start with it. */
function projectBom(record: LogRecord, expect: Expectation, projection: Projection): void {
  if (expect.bom !== true) return;
  projection.expected.bom = { inFrame: true, inMessage: false };
  projection.actual.bom = { inFrame: record.raw.includes(UTF8_BOM),
    inMessage: record.message.startsWith('\uFEFF') };
  projection.checked.add('bom');
}

/** Null-prototype objects (structured data) compared as ordinary ones. */
function plain(value: unknown): unknown {
  return value !== null && typeof value === 'object' ? JSON.parse(JSON.stringify(value)) : value;
}
