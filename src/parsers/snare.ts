/**
 * Snare for Windows events (`MSWinEventLog`), in the shapes agents and relays send:
 *
 *   syslog header:   <PRI>Mmm dd hh:mm:ss HOST SP MSWinEventLog D PAYLOAD
 *   native:          HOST D MSWinEventLog D PAYLOAD                  (no PRI, no header)
 *   relayed native:  <PRI>Mmm dd hh:mm:ss RELAY SP HOST D MSWinEventLog D PAYLOAD
 *
 *   PAYLOAD  = CRITICALITY D LOG D COUNTER D DATETIME D EVENT-ID D SOURCE D USER D SID-TYPE D
 *              EVENT-TYPE D COMPUTER D CATEGORY D DATA D EXPANDED D TRAILER *(D NAME "=" VALUE)
 *   DATETIME = Ddd SP Mmm SP dd SP hh:mm:ss SP yyyy           (the Windows host's local time)
 *   D        = TAB | "#011" (a TAB escaped by rsyslog) | "|" | "," | SP | a custom string
 *   TRAILER  = the event record counter, or an MD5 digest (32 hex) in older agents
 *
 * Fields 1–11 are read by position from the left and the last field is the trailer, so an
 * expanded message that contains the delimiter stays whole. A payload that lost its first
 * fields (rsyslog cuts the TAG at 32 characters) is anchored on DATETIME instead and flagged
 * `snare_incomplete`. The space delimiter is ambiguous by nature and has its own reader.
 */
import type { LogRecord, RecordFields } from '../record.js';
import { isDigitCode, isDigits, isLetterCode } from './chars.js';
import {
  emptySnareFields, HEAD_NAMES, isSnareDatetime, isTrailer, TAIL_NAMES, trailerKind,
} from './snare-fields.js';
import { readSpaceDelimitedPayload } from './snare-space.js';

export const SNARE_MARKER = 'MSWinEventLog';

/** Host names are at most 255 characters (RFC 1035), and a delimiter follows them. */
const HOST_WINDOW = 255 + 8;
/** Custom delimiters are short strings; the agent's own choices are one character. */
const MAX_DELIMITER = 8;
/** `Thu Dec 03 18:58:11 2026` and, once a relay cut the weekday off, `Dec 03 18:58:11 2026`. */
const DATETIME_LENGTH = 24;
const DATETIME_NO_WEEKDAY_LENGTH = 20;

export interface SnareEvent {
  /** The Windows host named at the start of a native line; null in the syslog-header shape. */
  host: string | null;
  /** Everything after the marker and its delimiter: what `msg` stores. */
  payload: string;
  fields: RecordFields;
}

/** Reads `[HOST D] MSWinEventLog D PAYLOAD` at `start`; null when the text is not Snare. */
export function readSnareEvent(text: string, start: number): SnareEvent | null {
  const marker = text.slice(start, start + HOST_WINDOW + SNARE_MARKER.length)
    .indexOf(SNARE_MARKER);
  if (marker === -1) return null;
  const markerAt = start + marker;

  const delimiter = delimiterAfterMarker(text, markerAt + SNARE_MARKER.length);
  if (delimiter === null) return null;

  let host: string | null = null;
  if (markerAt > start) {
    host = hostBefore(text, start, markerAt, delimiter);
    if (host === null) return null;
  }

  const payload = text.slice(markerAt + SNARE_MARKER.length + delimiter.length);
  const fields = readSnarePayload(payload, delimiter);
  return fields === null ? null : { host, payload, fields };
}

/** Reads a payload that arrived without its marker (an RFC 5424 MSG under `MSWinEventLog`). */
export function readBareSnarePayload(payload: string): SnareEvent | null {
  if (!isDigitCode(payload.charCodeAt(0))) return null;
  const delimiter = delimiterBeforeLogName(payload, 1);
  if (delimiter === null) return null;
  const fields = readSnarePayload(payload, delimiter);
  return fields === null ? null : { host: null, payload, fields };
}

/**
 * Turns `record` into a Snare record. The host follows DESIGN.md §3: the syslog header's
 * hostname when there is one, else the host named at the start of a native line. A relay
 * that received a native line writes its own header (the agent's address, or 127.0.0.1 when
 * relayed locally); the name the agent wrote is then kept in `fields.hostname_in_payload`.
 */
export function applySnareEvent(record: LogRecord, event: SnareEvent): void {
  record.format = 'snare';
  record.appName = SNARE_MARKER;
  record.procId = null;
  record.message = event.payload;
  // Most records have no flags yet: adopting the event's object saves copying 17 keys.
  if (hasNoKeys(record.fields)) record.fields = event.fields;
  else Object.assign(record.fields, event.fields);
  if (event.host !== null) {
    record.fields.hostname_in_payload = event.host;
    record.hostname ??= event.host;
  }
}

function hasNoKeys(fields: RecordFields): boolean {
  for (const key in fields) if (Object.hasOwn(fields, key)) return false;
  return true;
}

/** The fields of a payload whose delimiter is known; null when it is not Snare-shaped. */
function readSnarePayload(payload: string, delimiter: string): RecordFields | null {
  const fields = readFieldsBetween(payload, delimiter);
  if (fields === null) return null;
  fields.delimiter = delimiter;
  if (typeof fields.trailer === 'string') fields.trailer_kind = trailerKind(fields.trailer);
  return fields;
}

function readFieldsBetween(payload: string, delimiter: string): RecordFields | null {
  if (delimiter === ' ') return readSpaceDelimitedPayload(payload);

  const parts = payload.split(delimiter);
  const anchor = findDatetime(parts);
  if (anchor === null) return null;

  const fields = emptySnareFields();
  if (!assignHead(parts, anchor.index, fields)) return null;
  fields.event_time = anchor.text;
  if (!assignTail(parts, anchor.index + 1, delimiter, fields)) return null;
  if (anchor.index !== HEAD_NAMES.length || anchor.text !== parts[anchor.index]) {
    fields.snare_incomplete = true;
  }
  return fields;
}

/** `D` = TAB, `#011`, or whatever stands between the marker and a criticality digit. */
function delimiterAfterMarker(text: string, index: number): string | null {
  if (text.startsWith('#011', index)) return '#011';
  if (text[index] === '\t') return '\t';
  return delimiterAfterCriticality(text, index);
}

/** The delimiter is what precedes the first digit, and it must repeat right after that digit. */
function delimiterAfterCriticality(text: string, index: number): string | null {
  for (let length = 1; length <= MAX_DELIMITER; length += 1) {
    if (!isDigitCode(text.charCodeAt(index + length))) continue;
    const candidate = text.slice(index, index + length);
    return text.startsWith(candidate, index + length + 1) ? candidate : null;
  }
  return null;
}

/** After CRITICALITY: TAB, `#011`, or the run of punctuation before the log name's letters. */
function delimiterBeforeLogName(text: string, index: number): string | null {
  if (text.startsWith('#011', index)) return '#011';
  let end = index;
  while (end - index < MAX_DELIMITER && end < text.length &&
    !isLetterCode(text.charCodeAt(end)) && !isDigitCode(text.charCodeAt(end))) end += 1;
  return end === index ? null : text.slice(index, end);
}

function hostBefore(text: string, start: number, markerAt: number,
  delimiter: string): string | null {
  const hostEnd = markerAt - delimiter.length;
  if (hostEnd <= start || !text.startsWith(delimiter, hostEnd)) return null;
  const host = text.slice(start, hostEnd);
  return host.includes(' ') || host.includes('\t') ? null : host;
}

interface DatetimeAnchor {
  index: number;
  text: string;
}

/**
 * The DATETIME field: the fourth part normally, an earlier one when a relay cut the head off.
 * A cut can leave a fragment glued before the date (`Sec Dec 03 ...`), so the date is matched
 * at the end of the part.
 */
function findDatetime(parts: string[]): DatetimeAnchor | null {
  const last = Math.min(HEAD_NAMES.length, parts.length - 1);
  if (last === HEAD_NAMES.length && isSnareDatetime(parts[last])) {
    return { index: last, text: parts[last] };
  }
  for (let index = 0; index <= last; index += 1) {
    const part = parts[index];
    for (const length of [DATETIME_LENGTH, DATETIME_NO_WEEKDAY_LENGTH]) {
      const candidate = part.slice(part.length - length);
      if (part.length >= length && isSnareDatetime(candidate)) return { index, text: candidate };
    }
  }
  return null;
}

/** CRITICALITY, LOG, COUNTER: the whole parts before the date, in order from the left. */
function assignHead(parts: string[], dateIndex: number, fields: RecordFields): boolean {
  for (let index = 0; index < dateIndex; index += 1) {
    const name = HEAD_NAMES[index];
    const value = parts[index];
    if (name === 'event_log') fields[name] = value;
    else if (isDigits(value)) fields[name] = Number(value);
    else return false;
  }
  return true;
}

/** EVENT-ID and the named fields by position, then DATA, EXPANDED and TRAILER. */
function assignTail(parts: string[], from: number, delimiter: string,
  fields: RecordFields): boolean {
  const eventId = parts[from];
  if (eventId === undefined || !isDigits(eventId)) return false;
  fields.event_id = Number(eventId);

  TAIL_NAMES.forEach((name, offset) => {
    const value = parts[from + 1 + offset];
    if (value === undefined) fields.snare_incomplete = true;
    else fields[name] = value;
  });
  assignRest(parts.slice(from + 1 + TAIL_NAMES.length), delimiter, fields);
  return true;
}

/**
 * DATA D EXPANDED D TRAILER. With fewer parts, a last part shaped like a trailer is the
 * trailer; otherwise the parts are data and expanded text, in that order.
 */
function assignRest(rest: string[], delimiter: string, fields: RecordFields): void {
  const optional = peelOptionalFields(rest);
  if (optional.length > 0) fields.optional_fields = optional;

  if (rest.length >= 3) {
    fields.data = rest[0];
    fields.expanded = rest.slice(1, -1).join(delimiter);
    fields.trailer = rest[rest.length - 1];
    return;
  }
  fields.snare_incomplete = true;
  if (rest.length === 2 && isTrailer(rest[1])) {
    fields.expanded = rest[0];
    fields.trailer = rest[1];
  } else if (rest.length === 2) {
    fields.data = rest[0];
    fields.expanded = rest[1];
  } else if (rest.length === 1) {
    fields.expanded = rest[0];
  }
}

/** Newer agents append `NAME=VALUE` fields after the trailer (`EventSourceId=AU_123`). */
function peelOptionalFields(rest: string[]): string[] {
  const optional: string[] = [];
  while (rest.length > 3 && isOptionalField(rest[rest.length - 1]) &&
    isTrailer(rest[rest.length - 2])) {
    optional.unshift(rest.pop() as string);
  }
  return optional;
}

function isOptionalField(part: string): boolean {
  const equals = part.indexOf('=');
  if (equals < 1 || !isLetterCode(part.charCodeAt(0))) return false;
  for (let index = 1; index < equals; index += 1) {
    const code = part.charCodeAt(index);
    if (!isLetterCode(code) && !isDigitCode(code) && code !== 0x5f) return false;
  }
  return true;
}

/**
 * Snare inside RFC 5424. syslog-ng splits a native line at its first space, so APP-NAME holds
 * `HOST<TAB>MSWinEventLog<TAB>...<TAB>Thu` and MSG the rest: joined with that one space the
 * line is whole again. rsyslog's RSYSLOG_SyslogProtocol23Format keeps the space at the start
 * of MSG (`...#011Thu - - -  Dec 03`), so it is not added twice. An agent writing RFC 5424
 * itself names `MSWinEventLog` as APP-NAME or MSGID and sends the payload as MSG.
 */
export function recogniseSnareIn5424(record: LogRecord): boolean {
  const { appName, msgId, message } = record;
  let event: SnareEvent | null = null;
  if (appName !== null && appName.length > SNARE_MARKER.length &&
    appName.includes(SNARE_MARKER)) {
    const rest = message.charCodeAt(0) === 0x20 ? message.slice(1) : message;
    event = readSnareEvent(`${appName} ${rest}`, 0);
  } else if (appName === SNARE_MARKER || msgId === SNARE_MARKER) {
    event = readBareSnarePayload(message);
  }
  if (event === null) return false;
  applySnareEvent(record, event);
  return true;
}
