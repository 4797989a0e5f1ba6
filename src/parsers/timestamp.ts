/**
 * The two timestamp shapes syslog senders write, read by hand (no regular expressions, no
 * `Date.parse`, which rolls 2027-02-29 over to March 1 and rejects leap seconds with NaN).
 *
 *   RFC 3339 (RFC 5424 §6.2.3): YYYY-MM-DD "T" hh:mm:ss [. 1*6DIGIT] ("Z" / ("+"/"-") hh:mm)
 *   BSD (RFC 3164 §4.1.2):      Mmm SP dd SP hh:mm:ss     dd space- or zero-padded
 *
 * BSD stamps carry neither year nor zone: they are read as wall-clock time in `--timezone`,
 * in the year that puts them closest to the receive time.
 */
import { daysInMonth, type WallClock, type ZoneClock } from '../zone-clock.js';

export type Rfc3339Outcome = { valid: true; epochMs: number } | { valid: false };

export interface BsdStamp {
  month: number;
  day: number;
  /** Printed by some devices after the day (`Jan  6 2022 20:52:12`); null when absent. */
  year: number | null;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** Index just past the stamp. */
  end: number;
}

const MONTHS = new Map<string, number>([
  ['Jan', 1], ['Feb', 2], ['Mar', 3], ['Apr', 4], ['May', 5], ['Jun', 6],
  ['Jul', 7], ['Aug', 8], ['Sep', 9], ['Oct', 10], ['Nov', 11], ['Dec', 12],
]);
const MAX_FRACTION_DIGITS = 6;

/** Checks `token` (a whole field) against RFC 5424's strict form: upper-case T and Z. */
export function parseRfc3339(token: string): Rfc3339Outcome {
  const invalid: Rfc3339Outcome = { valid: false };
  if (token.length < 20 || token[4] !== '-' || token[7] !== '-' || token[10] !== 'T' ||
      token[13] !== ':' || token[16] !== ':') return invalid;

  const wall = {
    year: digitsAt(token, 0, 4), month: digitsAt(token, 5, 2), day: digitsAt(token, 8, 2),
    hour: digitsAt(token, 11, 2), minute: digitsAt(token, 14, 2),
    second: digitsAt(token, 17, 2), millisecond: 0,
  };
  if (!isValidWallClock(wall)) return invalid;

  let index = 19;
  if (token[index] === '.') {
    const fractionStart = index + 1;
    index = fractionStart;
    while (index < token.length && isDigit(token.charCodeAt(index))) index += 1;
    const digits = index - fractionStart;
    if (digits < 1 || digits > MAX_FRACTION_DIGITS) return invalid;
    wall.millisecond = Math.floor(Number(`0.${token.slice(fractionStart, index)}`) * 1000);
  }

  const offsetMs = parseOffset(token, index);
  if (offsetMs === null) return invalid;

  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute,
    wall.second, wall.millisecond);
  return { valid: true, epochMs: asUtc - offsetMs };
}

/** True when `text` at `start` begins like an RFC 3339 stamp (`dddd-dd-dd`). */
export function looksLikeRfc3339(text: string, start: number): boolean {
  return digitsAt(text, start, 4) >= 0 && text[start + 4] === '-' &&
    digitsAt(text, start + 5, 2) >= 0 && text[start + 7] === '-';
}

/**
 * Reads `Mmm dd [yyyy] hh:mm:ss[.fff]` at `start`; null when the text is not shaped so.
 * Values are not range-checked here: see `resolveBsdStamp`.
 */
export function parseBsdStamp(text: string, start: number): BsdStamp | null {
  const month = MONTHS.get(text.slice(start, start + 3));
  if (month === undefined || text[start + 3] !== ' ') return null;

  const dayField = readDay(text, start + 4);
  if (dayField === null) return null;

  let index = dayField.end;
  let year: number | null = null;
  if (text[index + 4] === ' ' && digitsAt(text, index, 4) >= 0) {
    year = digitsAt(text, index, 4);
    index += 5;
  }

  const clock = readClock(text, index);
  if (clock === null) return null;
  return { month, day: dayField.day, year, ...clock };
}

/**
 * The instant of a BSD stamp read in `clock`'s zone: the printed year when there is one,
 * otherwise the year (receive year -1, 0 or +1) that puts it closest to `receivedAt`.
 * Null when no such year makes the date valid (Feb 29 outside leap years, Dec 32).
 */
export function resolveBsdStamp(stamp: BsdStamp, receivedAt: number,
  clock: ZoneClock): number | null {
  const years = stamp.year === null ? candidateYears(receivedAt, clock) : [stamp.year];
  let best: number | null = null;

  for (const year of years) {
    const wall: WallClock = { year, month: stamp.month, day: stamp.day, hour: stamp.hour,
      minute: stamp.minute, second: stamp.second, millisecond: stamp.millisecond };
    if (!isValidWallClock(wall)) continue;

    const instant = clock.toInstant(wall);
    if (best === null || Math.abs(instant - receivedAt) < Math.abs(best - receivedAt)) {
      best = instant;
    }
  }
  return best;
}

export function isValidWallClock(wall: WallClock): boolean {
  return wall.year >= 0 && wall.month >= 1 && wall.month <= 12 &&
    wall.day >= 1 && wall.day <= daysInMonth(wall.year, wall.month) &&
    wall.hour >= 0 && wall.hour <= 23 && wall.minute >= 0 && wall.minute <= 59 &&
    wall.second >= 0 && wall.second <= 59;
}

function candidateYears(receivedAt: number, clock: ZoneClock): number[] {
  const year = clock.wallClockAt(receivedAt).year;
  return [year, year - 1, year + 1];
}

function readDay(text: string, index: number): { day: number; end: number } | null {
  const first = text.charCodeAt(index);
  const second = text.charCodeAt(index + 1);
  if (first === 0x20 && isDigit(second) && text[index + 2] === ' ') {
    return { day: second - 0x30, end: index + 3 };
  }
  if (isDigit(first) && isDigit(second) && text[index + 2] === ' ') {
    return { day: (first - 0x30) * 10 + (second - 0x30), end: index + 3 };
  }
  if (isDigit(first) && second === 0x20) return { day: first - 0x30, end: index + 2 };
  return null;
}

function readClock(text: string, index: number):
  Omit<BsdStamp, 'month' | 'day' | 'year'> | null {
  if (text[index + 2] !== ':' || text[index + 5] !== ':') return null;
  const hour = digitsAt(text, index, 2);
  const minute = digitsAt(text, index + 3, 2);
  const second = digitsAt(text, index + 6, 2);
  if (hour < 0 || minute < 0 || second < 0) return null;

  let end = index + 8;
  let millisecond = 0;
  if (text[end] === '.') {
    const fractionStart = end + 1;
    end = fractionStart;
    while (end < text.length && end - fractionStart < MAX_FRACTION_DIGITS &&
      isDigit(text.charCodeAt(end))) end += 1;
    if (end === fractionStart) return null;
    millisecond = Math.floor(Number(`0.${text.slice(fractionStart, end)}`) * 1000);
  }
  return { hour, minute, second, millisecond, end };
}

function parseOffset(token: string, index: number): number | null {
  if (token[index] === 'Z') return index + 1 === token.length ? 0 : null;

  const sign = token[index] === '+' ? 1 : token[index] === '-' ? -1 : 0;
  if (sign === 0 || token.length !== index + 6 || token[index + 3] !== ':') return null;
  const hours = digitsAt(token, index + 1, 2);
  const minutes = digitsAt(token, index + 4, 2);
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return null;
  return sign * (hours * 60 + minutes) * 60000;
}

/** The decimal value of `count` digits at `start`, or -1 when any of them is not a digit. */
export function digitsAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let index = start; index < start + count; index += 1) {
    const code = text.charCodeAt(index);
    if (!isDigit(code)) return -1;
    value = value * 10 + (code - 0x30);
  }
  return value;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}
