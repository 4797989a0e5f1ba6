/**
 * Cisco IOS / IOS XE syslog, after the PRI (or after a relay's RFC 3164 header):
 *
 *   CISCO    = [COUNT] ":" SP [ORIGIN ":" SP] [SEQ ":" SP] [STAMP ":" SP] MNEMONIC ":" SP TEXT
 *   MNEMONIC = "%" FACILITY "-" SEVERITY "-" NAME        split on the first two "-"
 *   COUNT    = 1*DIGIT            message counter; absent (a bare ": ") with no message-counter
 *   ORIGIN   = host name or IP    `logging origin-id`; becomes the record's host
 *   SEQ      = 1*DIGIT            `service sequence-numbers`, zero padded
 *   STAMP    = ["*" / "."] (Mmm SP dd [SP yyyy] SP hh:mm:ss[.mmm] [SP TZ]  /  UPTIME)
 *   UPTIME   = hh:mm:ss / 1*DIGIT ("y" / "w" / "d") 1*DIGIT ("w" / "d" / "h")
 *   TEXT     = free text, on stacks ending in "(" MEMBER "-" N ")"
 *
 * `*` means the clock was never set (the stamp counts from boot), `.` that it is set but not
 * NTP-synchronised. TZ is the label of `clock timezone NAME offset`, an admin's free string:
 * only UTC and GMT are unambiguous instants; any other label, or none, is read as wall-clock
 * time in `--timezone`. Every element before `%` is at most a few dozen characters, which
 * bounds the search for `: %` and rejects ordinary messages early.
 */
import type { LogRecord, RecordFields } from '../record.js';
import type { ZoneClock } from '../zone-clock.js';
import { isDigitCode, isDigits, isLetterCode } from './chars.js';
import { parseBsdStamp, resolveBsdStamp, type BsdStamp } from './timestamp.js';

export interface CiscoContext {
  /** `--timezone`, for stamps without a zone or with an admin label. */
  clock: ZoneClock;
  /** For stamps labelled UTC or GMT. */
  utc: ZoneClock;
}

export interface CiscoInput {
  text: string;
  /** Where the Cisco layout starts: just past the PRI, or past a relay's header. */
  start: number;
  /**
   * Where the relay's RFC 3164 stamp starts, when a relay wrote one. syslog-ng moves the
   * device's stamp into its own header and leaves only the zone label (`UTC: %...`).
   */
  relayStampAt: number | null;
}

/** COUNT, ORIGIN, SEQ and STAMP together never come near this many characters. */
const MAX_PREFIX = 120;
const MAX_MNEMONIC_PART = 64;
const MAX_ZONE_LABEL = 16;

/**
 * True when the text after the PRI can be the Cisco layout: it opens with the message
 * counter, the bare `:` of a disabled counter, or `%`, and has `: %` close enough. An RFC 3164
 * stamp (`Dec  3 ...`) fails the first test, so ordinary messages pay one comparison.
 */
export function mayBeCisco(text: string, start: number): boolean {
  const first = text.charCodeAt(start);
  if (!isDigitCode(first) && first !== 0x3a && first !== 0x25) return false;
  return percentAt(text, start) !== -1;
}

/**
 * The same test after a relay's RFC 3164 header, where syslog-ng may have left only the
 * device's zone label (`UTC: %...`), which starts with an upper-case letter.
 */
export function mayBeRelayedCisco(text: string, start: number): boolean {
  const first = text.charCodeAt(start);
  if (first >= 0x41 && first <= 0x5a) return percentAt(text, start) !== -1;
  return mayBeCisco(text, start);
}

/**
 * Index of the `%` that opens FAC-SEV-MNEMONIC, or -1. Only the first MAX_PREFIX characters
 * are searched: a search of the whole text would read every long message to its end.
 */
function percentAt(text: string, start: number): number {
  if (text.charCodeAt(start) === 0x25) return start;
  const window = text.length - start > MAX_PREFIX + 3
    ? text.slice(start, start + MAX_PREFIX + 3)
    : text.slice(start);
  const separator = window.indexOf(': %');
  return separator === -1 ? -1 : start + separator + 2;
}

/** Fills `record` as a Cisco message; false (record untouched) when the layout does not fit. */
export function parseCisco(input: CiscoInput, record: LogRecord, context: CiscoContext): boolean {
  const { text, start } = input;
  const percent = percentAt(text, start);
  if (percent === -1) return false;

  const mnemonic = readCiscoMnemonic(text, percent);
  if (mnemonic === null || text[mnemonic.end] !== ':') return false;
  const prefix = readPrefix(text.slice(start, Math.max(start, percent - 2)), input);
  if (prefix === null) return false;

  record.format = 'cisco';
  record.appName = null;
  record.procId = null;
  record.message = text.slice(percent);
  if (prefix.origin !== null) record.hostname = prefix.origin;
  record.timestamp = null;
  const body = text.slice(text[mnemonic.end + 1] === ' ' ? mnemonic.end + 2 : mnemonic.end + 1);
  Object.assign(record.fields, ciscoFields(prefix, mnemonic), { text: body });
  addStackMember(body, record);
  resolveStamp(prefix, input, record, context);
  return true;
}

export interface CiscoMnemonic {
  facility: string;
  severity: number;
  mnemonic: string;
  /** Index just past MNEMONIC. */
  end: number;
}

/** `%FAC-SEV-MNEMONIC` at `index`; split on the first two `-` (`%SW_MATM-4-MACFLAP_NOTIF`). */
export function readCiscoMnemonic(text: string, index: number): CiscoMnemonic | null {
  if (text.charCodeAt(index) !== 0x25) return null;
  const facilityEnd = wordEnd(text, index + 1);
  if (facilityEnd === index + 1 || text[facilityEnd] !== '-') return null;

  const severity = text.charCodeAt(facilityEnd + 1) - 0x30;
  if (severity < 0 || severity > 7 || text[facilityEnd + 2] !== '-') return null;

  const mnemonicEnd = wordEnd(text, facilityEnd + 3);
  if (mnemonicEnd === facilityEnd + 3) return null;
  return {
    facility: text.slice(index + 1, facilityEnd),
    severity,
    mnemonic: text.slice(facilityEnd + 3, mnemonicEnd),
    end: mnemonicEnd,
  };
}

interface Prefix {
  count: number | null;
  origin: string | null;
  seq: number | null;
  flag: string | null;
  stamp: BsdStamp | null;
  /** The stamp as the device printed it, without the flag and the zone. */
  stampText: string | null;
  zone: string | null;
  uptime: string | null;
}

/** Reads the `: `-separated elements before `%`; the last one may be the stamp. */
function readPrefix(region: string, input: CiscoInput): Prefix | null {
  const prefix: Prefix = { count: null, origin: null, seq: null, flag: null, stamp: null,
    stampText: null, zone: null, uptime: null };
  if (region === '') return prefix;

  const tokens = region.split(': ');
  const last = tokens[tokens.length - 1];
  if (readStamp(last, prefix)) tokens.pop();
  else if (tokens.length === 1 && input.relayStampAt !== null && isRelayedZone(last)) {
    prefix.zone = last;
    return prefix;
  }
  return readCounters(tokens, prefix) ? prefix : null;
}

/**
 * COUNT, ORIGIN, SEQ in that order; an empty first token is the disabled counter. ORIGIN is
 * taken only after one of them, so `app: %FOO-3-BAR: ...` from a program stays RFC 3164.
 */
function readCounters(tokens: string[], prefix: Prefix): boolean {
  let index = 0;
  if (tokens[0] === '') index = 1;
  else if (isDigits(tokens[0])) {
    prefix.count = Number(tokens[0]);
    index = 1;
  }
  if (index === 1 && index < tokens.length && !isDigits(tokens[index]) &&
    isOriginId(tokens[index])) {
    prefix.origin = tokens[index];
    index += 1;
  }
  if (index < tokens.length && isDigits(tokens[index])) {
    prefix.seq = Number(tokens[index]);
    index += 1;
  }
  return index === tokens.length;
}

/** `[*|.] Mmm dd [yyyy] hh:mm:ss[.mmm] [TZ]` or an uptime, filling `prefix` when it is one. */
function readStamp(token: string, prefix: Prefix): boolean {
  const flag = token[0] === '*' || token[0] === '.' ? token[0] : null;
  const from = flag === null ? 0 : 1;
  const stamp = parseBsdStamp(token, from);
  if (stamp !== null) {
    const zone = token.slice(stamp.end + 1);
    if (stamp.end !== token.length && (token[stamp.end] !== ' ' || !isZoneLabel(zone))) {
      return false;
    }
    prefix.flag = flag;
    prefix.stamp = stamp;
    prefix.stampText = token.slice(from, stamp.end);
    if (stamp.end !== token.length) prefix.zone = zone;
    return true;
  }
  if (!isUptime(token.slice(from))) return false;
  prefix.flag = flag;
  prefix.uptime = token.slice(from);
  return true;
}

/**
 * `datetime`: UTC/GMT stamps are instants; other stamps are wall-clock time in `--timezone`
 * (closest year unless printed). A `*` stamp or an uptime says nothing about real time: the
 * receive time is used, and a `*` stamp's text is kept in `fields.device_time`.
 */
function resolveStamp(prefix: Prefix, input: CiscoInput, record: LogRecord,
  context: CiscoContext): void {
  let stamp = prefix.stamp;
  if (stamp === null && prefix.uptime === null && input.relayStampAt !== null) {
    stamp = parseBsdStamp(input.text, input.relayStampAt);
  }
  if (stamp === null) return;
  if (prefix.flag === '*') {
    record.fields.device_time = prefix.stampText;
    return;
  }

  const zone = prefix.zone?.toUpperCase();
  const clock = zone === 'UTC' || zone === 'GMT' ? context.utc : context.clock;
  const instant = resolveBsdStamp(stamp, record.meta.receivedAt.getTime(), clock);
  if (instant === null) record.fields.timestamp_invalid = prefix.stampText ?? '';
  else record.timestamp = new Date(instant);
}

function ciscoFields(prefix: Prefix, mnemonic: CiscoMnemonic): RecordFields {
  const fields: RecordFields = {
    msg_count: prefix.count,
    seq: prefix.seq,
    facility_mnemonic: mnemonic.facility,
    cisco_severity: mnemonic.severity,
    mnemonic: mnemonic.mnemonic,
    clock_flag: prefix.flag,
  };
  if (prefix.zone !== null) fields.tz = prefix.zone;
  if (prefix.origin !== null) fields.origin_id = prefix.origin;
  if (prefix.uptime !== null) fields.uptime = prefix.uptime;
  return fields;
}

/** A stack member appends `(Switch-2)`: a name, a dash and the member number. */
function addStackMember(body: string, record: LogRecord): void {
  if (!body.endsWith(')')) return;
  const open = body.lastIndexOf('(');
  const member = body.slice(open + 1, -1);
  const dash = member.lastIndexOf('-');
  if (open === -1 || dash < 1 || !isDigits(member.slice(dash + 1))) return;
  if (!isLetterCode(member.charCodeAt(0)) || wordEnd(member, 0) < dash) return;
  record.fields.stack_member = member;
}

/** `00:00:46`, `1w2d`, `2d03h`, `1y2w`: what `service timestamps log uptime` prints. */
function isUptime(text: string): boolean {
  if (text.length === 8 && text[2] === ':' && text[5] === ':') {
    return isDigits(text.slice(0, 2) + text.slice(3, 5) + text.slice(6));
  }
  let units = 0;
  let index = 0;
  while (index < text.length) {
    const digitsStart = index;
    while (isDigitCode(text.charCodeAt(index))) index += 1;
    if (index === digitsStart || !'ywdh'.includes(text[index] ?? '_')) return false;
    index += 1;
    units += 1;
  }
  return units >= 1 && units <= 2;
}

/** `UTC`, `CET`, `mdt`, `UTC+1`, `GMT-05:30`: letters first, no space, short. */
function isZoneLabel(text: string): boolean {
  if (text.length === 0 || text.length > MAX_ZONE_LABEL) return false;
  if (!isLetterCode(text.charCodeAt(0))) return false;
  for (let index = 1; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (!isLetterCode(code) && !isDigitCode(code) && code !== 0x2b && code !== 0x2d &&
      code !== 0x3a) return false;
  }
  return true;
}

/** What syslog-ng leaves of a stamp it moved into its header: an upper-case `UTC`, `CET`. */
function isRelayedZone(text: string): boolean {
  return isZoneLabel(text) && text === text.toUpperCase();
}

/** A host name, an IP address or a short string without spaces. */
function isOriginId(text: string): boolean {
  return text.length > 0 && text.length <= 255 && !text.includes(' ');
}

/** End of a run of `[A-Za-z0-9_]` starting at `index`, at most MAX_MNEMONIC_PART long. */
function wordEnd(text: string, index: number): number {
  let end = index;
  while (end - index < MAX_MNEMONIC_PART) {
    const code = text.charCodeAt(end);
    if (!isLetterCode(code) && !isDigitCode(code) && code !== 0x5f) break;
    end += 1;
  }
  return end;
}

/**
 * syslog-ng's RFC 5424 rendering of a Cisco line: APP-NAME `%SYS-5-CONFIG_I`, MSG the text,
 * the counter in `[meta sequenceId]` (or MSG starting with the mnemonic, when a relay read
 * the zone label as APP-NAME). The relay's split is kept as it arrived, program included,
 * since it is a faithful one; the record gains the Cisco format and fields.
 */
export function recogniseCiscoIn5424(record: LogRecord): boolean {
  const { appName, message } = record;
  let mnemonic: CiscoMnemonic | null = null;
  let body = message;
  if (appName !== null && appName.charCodeAt(0) === 0x25) {
    mnemonic = readCiscoMnemonic(appName, 0);
    if (mnemonic !== null && mnemonic.end !== appName.length) mnemonic = null;
  } else if (message.charCodeAt(0) === 0x25) {
    mnemonic = readCiscoMnemonic(message, 0);
    if (mnemonic !== null && message[mnemonic.end] !== ':') mnemonic = null;
    if (mnemonic !== null) body = message.slice(mnemonic.end + 1).replace(/^ /, '');
  }
  if (mnemonic === null) return false;

  const prefix: Prefix = { count: sequenceId(record), origin: null, seq: null, flag: null,
    stamp: null, stampText: null, zone: null, uptime: null };
  record.format = 'cisco';
  Object.assign(record.fields, ciscoFields(prefix, mnemonic), { text: body });
  addStackMember(body, record);
  return true;
}

function sequenceId(record: LogRecord): number | null {
  const value = record.structuredData?.meta?.sequenceId;
  return typeof value === 'string' && isDigits(value) ? Number(value) : null;
}
