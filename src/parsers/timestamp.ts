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
import type { WallClock, ZoneClock } from '../zone-clock.js';

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

const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct',
  'Nov', 'Dec'];
/** Month number by the three character codes packed in one integer: no slice per lookup. */
const MONTHS = new Map<number, number>(MONTH_NAMES.map((name, index) =>
  [monthKey(name, 0), index + 1]));
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const MAX_FRACTION_DIGITS = 6;
/**
 * Years are at least 365 days apart, so a stamp within this of the receive time in the
 * receive year is closer than it could be in the year before or after.
 */
const HALF_YEAR_MS = 182 * 24 * 3600 * 1000;

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
  const month = MONTHS.get(monthKey(text, start));
  if (month === undefined || text.charCodeAt(start + 3) !== 0x20 ||
    !text.startsWith(MONTH_NAMES[month - 1], start)) return null;

  const stamp: BsdStamp = { month, day: 0, year: null, hour: 0, minute: 0, second: 0,
    millisecond: 0, end: 0 };
  let index = readDay(text, start + 4, stamp);
  if (index === -1) return null;
  if (text.charCodeAt(index + 4) === 0x20 && digitsAt(text, index, 4) >= 0) {
    stamp.year = digitsAt(text, index, 4);
    index += 5;
  }
  return readClock(text, index, stamp) ? stamp : null;
}

/**
 * The instant of a BSD stamp read in `clock`'s zone: the printed year when there is one,
 * otherwise the year (receive year -1, 0 or +1) that puts it closest to `receivedAt`.
 * Null when no such year makes the date valid (Feb 29 outside leap years, Dec 32).
 */
export function resolveBsdStamp(stamp: BsdStamp, receivedAt: number,
  clock: ZoneClock): number | null {
  if (stamp.year !== null) return instantInYear(stamp, stamp.year, clock);

  const year = receiveYear(receivedAt, clock);
  let best = instantInYear(stamp, year, clock);
  if (best !== null && Math.abs(best - receivedAt) <= HALF_YEAR_MS) return best;

  for (const candidate of [year - 1, year + 1]) {
    const instant = instantInYear(stamp, candidate, clock);
    if (instant === null) continue;
    if (best === null || Math.abs(instant - receivedAt) < Math.abs(best - receivedAt)) {
      best = instant;
    }
  }
  return best;
}

/** The zone's calendar year of the last receive time asked about, as a range of wall time. */
const yearRange = { clock: null as ZoneClock | null, from: 0, to: 0, year: 0 };

/** The receive time's year in `clock`'s zone; one range check while the year lasts. */
function receiveYear(receivedAt: number, clock: ZoneClock): number {
  const wallMs = receivedAt + clock.offsetAt(receivedAt);
  if (clock === yearRange.clock && wallMs >= yearRange.from && wallMs < yearRange.to) {
    return yearRange.year;
  }
  const year = new Date(wallMs).getUTCFullYear();
  Object.assign(yearRange, { clock, from: Date.UTC(year, 0, 1), to: Date.UTC(year + 1, 0, 1),
    year });
  return year;
}

/** Per zone, the instant at which recent wall-clock minutes start. */
const minuteStarts = new WeakMap<ZoneClock, Map<number, number>>();
const MINUTE_CACHE_LIMIT = 4096;

/**
 * Zone offsets change only on whole minutes, so a stamp is its minute's start plus seconds:
 * the zone arithmetic runs once per minute of stamps instead of once per message.
 */
function instantInYear(stamp: BsdStamp, year: number, clock: ZoneClock): number | null {
  if (year < 0 || stamp.month < 1 || stamp.month > 12 || stamp.day < 1 ||
    stamp.day > monthLength(year, stamp.month) || stamp.hour > 23 || stamp.minute > 59 ||
    stamp.second > 59) return null;

  let starts = minuteStarts.get(clock);
  if (starts === undefined) {
    starts = new Map();
    minuteStarts.set(clock, starts);
  }
  const key = (((year * 13 + stamp.month) * 32 + stamp.day) * 24 + stamp.hour) * 60 +
    stamp.minute;
  let start = starts.get(key);
  if (start === undefined) {
    const wall: WallClock = { year, month: stamp.month, day: stamp.day, hour: stamp.hour,
      minute: stamp.minute, second: 0, millisecond: 0 };
    start = clock.toInstant(wall);
    if (starts.size >= MINUTE_CACHE_LIMIT) starts.clear();
    starts.set(key, start);
  }
  return start + stamp.second * 1000 + stamp.millisecond;
}

export function isValidWallClock(wall: WallClock): boolean {
  return wall.year >= 0 && wall.month >= 1 && wall.month <= 12 &&
    wall.day >= 1 && wall.day <= monthLength(wall.year, wall.month) &&
    wall.hour >= 0 && wall.hour <= 23 && wall.minute >= 0 && wall.minute <= 59 &&
    wall.second >= 0 && wall.second <= 59;
}

/** Gregorian month length, by arithmetic: this runs for every stamp. */
function monthLength(year: number, month: number): number {
  if (month !== 2) return DAYS_IN_MONTH[month - 1];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return leap ? 29 : 28;
}

function monthKey(text: string, start: number): number {
  return (text.charCodeAt(start) << 16) | (text.charCodeAt(start + 1) << 8) |
    text.charCodeAt(start + 2);
}

/** `dd`, ` d` or `d` and a space; the index after them, or -1. */
function readDay(text: string, index: number, stamp: BsdStamp): number {
  const first = text.charCodeAt(index);
  const second = text.charCodeAt(index + 1);
  const third = text.charCodeAt(index + 2);
  if (first === 0x20 && isDigit(second) && third === 0x20) {
    stamp.day = second - 0x30;
    return index + 3;
  }
  if (isDigit(first) && isDigit(second) && third === 0x20) {
    stamp.day = (first - 0x30) * 10 + (second - 0x30);
    return index + 3;
  }
  if (isDigit(first) && second === 0x20) {
    stamp.day = first - 0x30;
    return index + 2;
  }
  return -1;
}

/** `hh:mm:ss[.f{1,6}]`; the fraction's first three digits are the milliseconds. */
function readClock(text: string, index: number, stamp: BsdStamp): boolean {
  if (text.charCodeAt(index + 2) !== 0x3a || text.charCodeAt(index + 5) !== 0x3a) return false;
  stamp.hour = digitsAt(text, index, 2);
  stamp.minute = digitsAt(text, index + 3, 2);
  stamp.second = digitsAt(text, index + 6, 2);
  if (stamp.hour < 0 || stamp.minute < 0 || stamp.second < 0) return false;

  let end = index + 8;
  if (text.charCodeAt(end) === 0x2e) {
    const fractionStart = end + 1;
    end = fractionStart;
    let millisecond = 0;
    while (end - fractionStart < MAX_FRACTION_DIGITS && isDigit(text.charCodeAt(end))) {
      if (end - fractionStart < 3) millisecond = millisecond * 10 + text.charCodeAt(end) - 0x30;
      end += 1;
    }
    const digits = end - fractionStart;
    if (digits === 0) return false;
    stamp.millisecond = digits >= 3 ? millisecond : millisecond * (digits === 1 ? 100 : 10);
  }
  stamp.end = end;
  return true;
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
