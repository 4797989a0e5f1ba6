/**
 * Wall-clock arithmetic in one IANA time zone (`--timezone`), without a date library.
 *
 * The UTC offset of an instant comes from Intl once per quarter hour of UTC time (every
 * present-day zone changes offset on a quarter-hour boundary) and is cached, so formatting
 * and converting stamps on the per-message path is plain arithmetic.
 */

const QUARTER_HOUR_MS = 15 * 60 * 1000;
const OFFSET_CACHE_LIMIT = 4096;
/** Messages arrive in time order, so a few recent seconds cover nearly every lookup. */
const SECOND_CACHE_LIMIT = 1024;
/** `000` … `999`: the millisecond part of every stamp, without a pad per call. */
const MILLISECONDS = Array.from({ length: 1000 }, (_, ms) => String(ms).padStart(3, '0'));

/** The texts of one second in the zone, computed once for all the stamps within it. */
interface SecondTexts {
  /** `YYYY-MM-DD HH:MM:SS` */
  sql: string;
  /** `YYYY-MM-DDTHH:MM:SS.` */
  rfc3339Head: string;
  /** `+01:00`: offsets change on quarter hours, so one holds for the whole second. */
  offset: string;
}

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

export class InvalidTimeZoneError extends Error {
  readonly code = 'LH_INVALID_TIMEZONE';
}

export class ZoneClock {
  readonly timeZone: string;
  readonly #format: Intl.DateTimeFormat | null;
  readonly #offsets = new Map<number, number>();
  readonly #secondTexts = new Map<number, SecondTexts>();

  constructor(timeZone: string) {
    this.timeZone = timeZone;
    this.#format = timeZone === 'UTC' ? null : createFormat(timeZone);
  }

  /** The zone's offset from UTC at `epochMs`, in milliseconds (east positive). */
  offsetAt(epochMs: number): number {
    if (this.#format === null) return 0;

    const bucket = Math.floor(epochMs / QUARTER_HOUR_MS);
    const cached = this.#offsets.get(bucket);
    if (cached !== undefined) return cached;

    const offset = this.#computeOffset(bucket * QUARTER_HOUR_MS);
    if (this.#offsets.size >= OFFSET_CACHE_LIMIT) this.#offsets.clear();
    this.#offsets.set(bucket, offset);
    return offset;
  }

  /** The instant at which the zone's clocks show `wall`; in a DST gap, the later reading. */
  toInstant(wall: WallClock): number {
    const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day,
      wall.hour, wall.minute, wall.second, wall.millisecond);
    const firstGuess = asUtc - this.offsetAt(asUtc);
    const offset = this.offsetAt(firstGuess);
    return asUtc - offset;
  }

  wallClockAt(epochMs: number): WallClock {
    const shifted = new Date(epochMs + this.offsetAt(epochMs));
    return {
      year: shifted.getUTCFullYear(),
      month: shifted.getUTCMonth() + 1,
      day: shifted.getUTCDate(),
      hour: shifted.getUTCHours(),
      minute: shifted.getUTCMinutes(),
      second: shifted.getUTCSeconds(),
      millisecond: shifted.getUTCMilliseconds(),
    };
  }

  /** `YYYY-MM-DD HH:MM:SS`, the SQL DATETIME form, in this zone. */
  formatSqlSeconds(epochMs: number): string {
    return this.#textsOf(Math.floor(epochMs / 1000)).sql;
  }

  /** `YYYY-MM-DD HH:MM:SS.mmm`, the SQL DATETIME(3) form, in this zone. */
  formatSqlMillis(epochMs: number): string {
    const second = Math.floor(epochMs / 1000);
    return `${this.#textsOf(second).sql}.${MILLISECONDS[epochMs - second * 1000]}`;
  }

  /** RFC 3339 with milliseconds and this zone's offset: `2026-12-03T18:58:12.000+01:00`. */
  formatRfc3339(epochMs: number): string {
    const second = Math.floor(epochMs / 1000);
    const texts = this.#textsOf(second);
    return `${texts.rfc3339Head}${MILLISECONDS[epochMs - second * 1000]}${texts.offset}`;
  }

  #textsOf(second: number): SecondTexts {
    const cached = this.#secondTexts.get(second);
    if (cached !== undefined) return cached;

    const wall = this.wallClockAt(second * 1000);
    const texts = { sql: formatWall(wall, ' '), rfc3339Head: `${formatWall(wall, 'T')}.`,
      offset: formatOffset(this.offsetAt(second * 1000)) };
    if (this.#secondTexts.size >= SECOND_CACHE_LIMIT) this.#secondTexts.clear();
    this.#secondTexts.set(second, texts);
    return texts;
  }

  /** `YYYY-MM-DD` of the zone's calendar day at `epochMs`. */
  formatDate(epochMs: number): string {
    return this.formatSqlSeconds(epochMs).slice(0, 10);
  }

  #computeOffset(epochMs: number): number {
    const parts = (this.#format as Intl.DateTimeFormat).formatToParts(new Date(epochMs));
    const value = (type: string): number =>
      Number(parts.find((part) => part.type === type)?.value);
    const asUtc = Date.UTC(value('year'), value('month') - 1, value('day'),
      value('hour'), value('minute'), value('second'));
    return asUtc - epochMs;
  }
}

/** The machine's zone as Node sees it (TZ, then /etc/localtime). */
export function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function createFormat(timeZone: string): Intl.DateTimeFormat {
  try {
    return new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
  } catch (error) {
    throw new InvalidTimeZoneError(`Unknown time zone ${JSON.stringify(timeZone)}`,
      { cause: error });
  }
}

function formatWall(wall: WallClock, separator: string): string {
  return `${pad4(wall.year)}-${pad2(wall.month)}-${pad2(wall.day)}${separator}` +
    `${pad2(wall.hour)}:${pad2(wall.minute)}:${pad2(wall.second)}`;
}

function formatOffset(offsetMs: number): string {
  const sign = offsetMs < 0 ? '-' : '+';
  const minutes = Math.abs(Math.round(offsetMs / 60000));
  return `${sign}${pad2(Math.floor(minutes / 60))}:${pad2(minutes % 60)}`;
}

function pad2(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

function pad4(value: number): string {
  return String(value).padStart(4, '0');
}
