/**
 * RFC 3164 (BSD syslog) after the PRI, as real senders write it:
 *
 *   TIMESTAMP SP HOSTNAME SP TAG ["[" PID "]"] ":" [SP] CONTENT
 *   TIMESTAMP = Mmm SP dd SP hh:mm:ss [.fraction]  |  RFC 3339 (rsyslog ForwardFormat)
 *
 * Without a recognisable timestamp, everything after the PRI is the message (§4.3.2) and no
 * hostname is read. The token after the timestamp is the hostname unless it holds `[` or ends
 * with `:` (local-socket format, no hostname). The TAG is taken only when the text follows the
 * `TAG[PID]:` convention; otherwise the program stays NULL and the message keeps every byte.
 */
import type { LogRecord } from '../record.js';
import type { ZoneClock } from '../zone-clock.js';
import { looksLikeRfc3339, parseBsdStamp, parseRfc3339, resolveBsdStamp } from './timestamp.js';

export interface Rfc3164Header {
  /** Index just past the header (timestamp and hostname); the TAG starts here. */
  contentStart: number;
  hasTimestamp: boolean;
}

/** Fills `record` from `text` starting at `start`; reports where the header ended. */
export function parseRfc3164(text: string, start: number, record: LogRecord,
  clock: ZoneClock): Rfc3164Header {
  const stampEnd = readTimestamp(text, start, record, clock);
  if (stampEnd === null) {
    readTagAndContent(text.slice(start), record);
    record.format = 'rfc3164';
    return { contentStart: start, hasTimestamp: false };
  }

  const contentStart = readHostname(text, stampEnd, record);
  readTagAndContent(text.slice(contentStart), record);
  record.format = 'rfc3164';
  return { contentStart, hasTimestamp: true };
}

/** Splits `TAG[PID]: CONTENT`; text that does not follow the convention is all message. */
export function readTagAndContent(content: string, record: LogRecord): void {
  const tag = splitTag(content);
  if (tag === null) {
    record.appName = null;
    record.procId = null;
    record.message = content;
    return;
  }
  record.appName = tag.program;
  record.procId = tag.pid;
  record.message = content.slice(tag.end);
}

export interface TagSplit {
  program: string;
  pid: string | null;
  /** Index where the message starts (after the colon and one space). */
  end: number;
}

/** TAG = 1* (any character but whitespace, `[`, `]`, `:`), then `[PID]`, then `:`. */
export function splitTag(content: string): TagSplit | null {
  let index = 0;
  while (index < content.length && !isTagStop(content.charCodeAt(index))) index += 1;
  if (index === 0) return null;
  const program = content.slice(0, index);

  let pid: string | null = null;
  if (content[index] === '[') {
    const close = content.indexOf(']', index + 1);
    if (close === -1) return null;
    pid = content.slice(index + 1, close) || null;
    index = close + 1;
  }
  if (content[index] !== ':') return null;
  index += 1;
  if (content[index] === ' ') index += 1;
  return { program, pid, end: index };
}

function isTagStop(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d ||
    code === 0x5b || code === 0x5d || code === 0x3a;
}

/** Index just past the timestamp and its SP, or null when there is no timestamp. */
function readTimestamp(text: string, start: number, record: LogRecord,
  clock: ZoneClock): number | null {
  if (looksLikeRfc3339(text, start)) return readRfc3339Slot(text, start, record);

  const stamp = parseBsdStamp(text, start);
  if (stamp === null || !endsField(text, stamp.end)) return null;

  const instant = resolveBsdStamp(stamp, record.meta.receivedAt.getTime(), clock);
  if (instant === null) record.fields.timestamp_invalid = text.slice(start, stamp.end);
  else record.timestamp = new Date(instant);
  return skipSpace(text, stamp.end);
}

function readRfc3339Slot(text: string, start: number, record: LogRecord): number | null {
  const space = text.indexOf(' ', start);
  const end = space === -1 ? text.length : space;
  const token = text.slice(start, end);
  // `2026-12-03 18:00:00` is a date, not a stamp: only a `T` makes the token one field.
  const separator = token[10];
  if (separator !== 'T' && separator !== 't') return null;

  const outcome = parseRfc3339(token);
  if (outcome.valid) record.timestamp = new Date(outcome.epochMs);
  else record.fields.timestamp_invalid = token;
  return skipSpace(text, end);
}

function readHostname(text: string, start: number, record: LogRecord): number {
  const space = text.indexOf(' ', start);
  const end = space === -1 ? text.length : space;
  const token = text.slice(start, end);
  if (token === '' || token.includes('[') || token.endsWith(':')) return start;

  record.hostname = token;
  return skipSpace(text, end);
}

function endsField(text: string, index: number): boolean {
  return index === text.length || text[index] === ' ';
}

function skipSpace(text: string, index: number): number {
  return text[index] === ' ' ? index + 1 : index;
}
