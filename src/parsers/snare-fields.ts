/**
 * The field set of a Snare event and the shapes of its typed fields, shared by the readers
 * for the positional delimiters (`snare.ts`) and for the space delimiter (`snare-space.ts`).
 */
import type { RecordFields } from '../record.js';
import { isDigitCode, isDigits } from './chars.js';
import { parseBsdStamp } from './timestamp.js';

export const HEAD_NAMES = ['criticality', 'event_log', 'snare_counter'] as const;
export const TAIL_NAMES =
  ['event_source', 'user', 'sid_type', 'event_type', 'computer', 'category'] as const;

const WEEKDAYS = new Set(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']);

/** Every contract key, null until read, so rows always carry the same keys. */
export function emptySnareFields(): RecordFields {
  const fields: RecordFields = {};
  for (const name of HEAD_NAMES) fields[name] = null;
  fields.event_id = null;
  for (const name of TAIL_NAMES) fields[name] = null;
  fields.data = null;
  fields.expanded = null;
  return fields;
}

/** `[Ddd SP] Mmm SP dd SP hh:mm:ss SP yyyy`, the whole of `text`. */
export function isSnareDatetime(text: string): boolean {
  const start = WEEKDAYS.has(text.slice(0, 3)) && text[3] === ' ' ? 4 : 0;
  const stamp = parseBsdStamp(text, start);
  if (stamp === null || stamp.year !== null || stamp.millisecond !== 0) return false;
  return text[stamp.end] === ' ' && stamp.end + 5 === text.length &&
    isDigits(text.slice(stamp.end + 1));
}

/** The event record counter, or a 32-digit hex MD5 from agents with checksums on. */
export function isTrailer(part: string): boolean {
  return isDigits(part) || isMd5(part);
}

/** `md5` for a checksum trailer, `record_number` for the counter current agents send. */
export function trailerKind(trailer: string): 'md5' | 'record_number' {
  return isMd5(trailer) ? 'md5' : 'record_number';
}

function isMd5(part: string): boolean {
  if (part.length !== 32) return false;
  for (let index = 0; index < part.length; index += 1) {
    const code = part.charCodeAt(index) | 0x20;
    if (!isDigitCode(code) && (code < 0x61 || code > 0x66)) return false;
  }
  return true;
}
