import t from 'tap';
import {
  isValidWallClock, parseBsdStamp, parseRfc3339, resolveBsdStamp,
} from '../../src/parsers/timestamp.js';
import { InvalidTimeZoneError, ZoneClock } from '../../src/zone-clock.js';

/** The instant of a valid RFC 3339 token as an ISO string, or null when it is invalid. */
function rfc3339(token: string): string | null {
  const outcome = parseRfc3339(token);
  return outcome.valid ? new Date(outcome.epochMs).toISOString() : null;
}

/** A BSD stamp read in `zone` as if received at `receivedAt`, as an ISO string. */
function bsd(text: string, receivedAt: string, zone = 'UTC'): string | null {
  const stamp = parseBsdStamp(text, 0);
  if (stamp === null) throw new Error(`not a BSD stamp: ${text}`);
  const instant = resolveBsdStamp(stamp, Date.parse(receivedAt), new ZoneClock(zone));
  return instant === null ? null : new Date(instant).toISOString();
}

const at = (iso: string): number => Date.parse(iso);

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}

t.test('RFC 3339 with milliseconds and Z', async (t) => {
  t.equal(rfc3339('2003-10-11T22:14:15.003Z'), '2003-10-11T22:14:15.003Z');
});

t.test('RFC 3339 without a fraction', async (t) => {
  t.equal(rfc3339('2026-12-03T18:58:12Z'), '2026-12-03T18:58:12.000Z');
});

t.test('RFC 3339 fractions of 1 to 6 digits are cut to milliseconds', async (t) => {
  t.equal(rfc3339('1985-04-12T23:20:50.5Z'), '1985-04-12T23:20:50.500Z');
  t.equal(rfc3339('1985-04-12T23:20:50.52Z'), '1985-04-12T23:20:50.520Z');
  t.equal(rfc3339('2026-12-03T17:59:32.735361Z'), '2026-12-03T17:59:32.735Z');
  t.equal(rfc3339('2026-12-03T17:59:32.999999Z'), '2026-12-03T17:59:32.999Z');
});

t.test('RFC 3339 with seven or more fraction digits is invalid', async (t) => {
  t.equal(rfc3339('2026-12-03T17:59:32.7353612Z'), null);
  t.equal(rfc3339('2026-12-03T17:59:32.735361234Z'), null);
});

t.test('RFC 3339 with a dot and no fraction digits is invalid', async (t) => {
  t.equal(rfc3339('2026-12-03T17:59:32.Z'), null);
});

t.test('RFC 3339 with a lower-case t or z is invalid', async (t) => {
  t.equal(rfc3339('2026-12-03t17:59:32Z'), null);
  t.equal(rfc3339('2026-12-03T17:59:32z'), null);
});

t.test('RFC 3339 applies a negative offset', async (t) => {
  t.equal(rfc3339('2003-08-24T05:14:15.000003-07:00'), '2003-08-24T12:14:15.000Z');
});

t.test('RFC 3339 applies a positive offset, including quarter hours', async (t) => {
  t.equal(rfc3339('2026-12-03T18:58:12+01:00'), '2026-12-03T17:58:12.000Z');
  t.equal(rfc3339('2026-12-03T18:58:12+05:45'), '2026-12-03T13:13:12.000Z');
  t.equal(rfc3339('2026-12-03T18:58:12-00:00'), '2026-12-03T18:58:12.000Z');
});

t.test('RFC 3339 with a malformed or missing offset is invalid', async (t) => {
  t.equal(rfc3339('2026-12-03T18:58:12'), null);
  t.equal(rfc3339('2026-12-03T18:58:12+0100'), null);
  t.equal(rfc3339('2026-12-03T18:58:12+01'), null);
  t.equal(rfc3339('2026-12-03T18:58:12+24:00'), null);
  t.equal(rfc3339('2026-12-03T18:58:12+01:60'), null);
  t.equal(rfc3339('2026-12-03T18:58:12Z '), null);
  t.equal(rfc3339('2026-12-03T18:58:12+01:00x'), null);
});

t.test('RFC 3339 leap second 23:59:60 is invalid', async (t) => {
  t.equal(rfc3339('2016-12-31T23:59:60Z'), null);
});

t.test('RFC 3339 Feb 29 is invalid outside leap years', async (t) => {
  t.equal(rfc3339('2027-02-29T12:00:00Z'), null);
  t.equal(rfc3339('2100-02-29T12:00:00Z'), null);
});

t.test('RFC 3339 Feb 29 is valid in leap years', async (t) => {
  t.equal(rfc3339('2024-02-29T12:00:00Z'), '2024-02-29T12:00:00.000Z');
  t.equal(rfc3339('2000-02-29T12:00:00Z'), '2000-02-29T12:00:00.000Z');
});

t.test('RFC 3339 out-of-range fields are invalid', async (t) => {
  t.equal(rfc3339('2026-13-01T00:00:00Z'), null);
  t.equal(rfc3339('2026-00-01T00:00:00Z'), null);
  t.equal(rfc3339('2026-04-31T00:00:00Z'), null);
  t.equal(rfc3339('2026-04-00T00:00:00Z'), null);
  t.equal(rfc3339('2026-04-30T24:00:00Z'), null);
  t.equal(rfc3339('2026-04-30T23:60:00Z'), null);
  t.equal(rfc3339('2026-13-45T99:99:99Z'), null);
});

t.test('RFC 3339 with a space instead of T is invalid', async (t) => {
  t.equal(rfc3339('2026-12-03 18:58:12Z'), null);
  t.equal(rfc3339('2026-1-03T18:58:12Z'), null);
});

t.test('BSD stamp with a space-padded day', async (t) => {
  t.strictSame(parseBsdStamp('Dec  3 17:59:31 vm sshd', 0), {
    month: 12, day: 3, year: null, hour: 17, minute: 59, second: 31, millisecond: 0, end: 15,
  });
});

t.test('BSD stamp with a zero-padded day', async (t) => {
  t.strictSame(parseBsdStamp('Dec 03 17:59:31 vm', 0), {
    month: 12, day: 3, year: null, hour: 17, minute: 59, second: 31, millisecond: 0, end: 15,
  });
});

t.test('BSD stamp with an unpadded day', async (t) => {
  t.strictSame(parseBsdStamp('Dec 3 17:59:31 vm', 0), {
    month: 12, day: 3, year: null, hour: 17, minute: 59, second: 31, millisecond: 0, end: 14,
  });
});

t.test('BSD stamp with a two-digit day', async (t) => {
  t.strictSame(parseBsdStamp('Oct 11 22:14:15', 0), {
    month: 10, day: 11, year: null, hour: 22, minute: 14, second: 15, millisecond: 0, end: 15,
  });
});

t.test('BSD stamp with a fraction', async (t) => {
  t.strictSame(parseBsdStamp('Dec  3 17:59:31.042 vm', 0), {
    month: 12, day: 3, year: null, hour: 17, minute: 59, second: 31, millisecond: 42, end: 19,
  });
});

t.test('BSD stamp with a year after the day', async (t) => {
  t.strictSame(parseBsdStamp('Jan  6 2022 20:52:12 sw1', 0), {
    month: 1, day: 6, year: 2022, hour: 20, minute: 52, second: 12, millisecond: 0, end: 20,
  });
});

t.test('BSD stamp read from an offset past the PRI', async (t) => {
  t.strictSame(parseBsdStamp('<13>Feb 29 12:00:00 host', 4), {
    month: 2, day: 29, year: null, hour: 12, minute: 0, second: 0, millisecond: 0, end: 19,
  });
});

t.test('text not shaped like a BSD stamp is not one', async (t) => {
  t.equal(parseBsdStamp('dec  3 17:59:31', 0), null);
  t.equal(parseBsdStamp('Foo  3 17:59:31', 0), null);
  t.equal(parseBsdStamp('Dec  3 17:59', 0), null);
  t.equal(parseBsdStamp('Dec  3 7:59:31', 0), null);
  t.equal(parseBsdStamp('Dec  3 17:59:31.', 0), null);
  t.equal(parseBsdStamp('Dec   3 17:59:31', 0), null);
  t.equal(parseBsdStamp('Dec', 0), null);
  t.equal(parseBsdStamp('', 0), null);
});

t.test('Dec 31 received just after New Year is read in the old year', async (t) => {
  t.equal(bsd('Dec 31 23:59:59', '2027-01-01T00:00:01Z'), '2026-12-31T23:59:59.000Z');
});

t.test('Jan 1 received just before New Year is read in the new year', async (t) => {
  t.equal(bsd('Jan  1 00:00:01', '2026-12-31T23:59:58Z'), '2027-01-01T00:00:01.000Z');
});

t.test('a BSD stamp is read in the receive year when that is closest', async (t) => {
  t.equal(bsd('Dec  3 17:59:31', '2026-12-03T18:00:00Z'), '2026-12-03T17:59:31.000Z');
  t.equal(bsd('Jun 15 12:00:00', '2026-12-03T18:00:00Z'), '2026-06-15T12:00:00.000Z');
});

t.test('Feb 29 received on Mar 1 of a leap year stays Feb 29', async (t) => {
  t.equal(bsd('Feb 29 12:00:00', '2028-03-01T00:00:00Z'), '2028-02-29T12:00:00.000Z');
});

t.test('Feb 29 received in a year with no leap year near has no valid year', async (t) => {
  t.equal(bsd('Feb 29 12:00:00', '2026-06-01T00:00:00Z'), null);
});

t.test('Feb 29 received early in the year after a leap year is read in it', async (t) => {
  t.equal(bsd('Feb 29 12:00:00', '2025-01-10T00:00:00Z'), '2024-02-29T12:00:00.000Z');
});

t.test('a printed year is used as is', async (t) => {
  t.equal(bsd('Jan  6 2022 20:52:12', '2026-12-03T18:00:00Z'), '2022-01-06T20:52:12.000Z');
  t.equal(bsd('Feb 29 2023 12:00:00', '2026-12-03T18:00:00Z'), null);
});

t.test('a BSD stamp with an impossible day or hour has no instant', async (t) => {
  t.equal(bsd('Dec 32 12:00:00', '2026-12-03T18:00:00Z'), null);
  t.equal(bsd('Apr 31 12:00:00', '2026-12-03T18:00:00Z'), null);
  t.equal(bsd('Dec  3 24:00:00', '2026-12-03T18:00:00Z'), null);
  t.equal(bsd('Dec 31 23:59:60', '2026-12-31T23:59:59Z'), null);
});

t.test('a BSD stamp is wall-clock time in Europe/Paris', async (t) => {
  t.equal(bsd('Dec  3 18:58:12', '2026-12-03T18:00:00Z', 'Europe/Paris'),
    '2026-12-03T17:58:12.000Z');
  t.equal(bsd('Jul 14 12:00:00', '2026-07-14T10:05:00Z', 'Europe/Paris'),
    '2026-07-14T10:00:00.000Z');
});

t.test('a BSD stamp is wall-clock time in America/New_York', async (t) => {
  t.equal(bsd('Dec  3 12:58:12', '2026-12-03T18:00:00Z', 'America/New_York'),
    '2026-12-03T17:58:12.000Z');
  t.equal(bsd('Jul  4 12:00:00', '2026-07-04T16:05:00Z', 'America/New_York'),
    '2026-07-04T16:00:00.000Z');
});

t.test('BSD stamps on the spring DST day use the offset of their hour', async (t) => {
  t.equal(bsd('Mar 29 01:30:00', '2026-03-29T02:00:00Z', 'Europe/Paris'),
    '2026-03-29T00:30:00.000Z');
  t.equal(bsd('Mar 29 03:30:00', '2026-03-29T02:00:00Z', 'Europe/Paris'),
    '2026-03-29T01:30:00.000Z');
  t.equal(bsd('Mar  8 01:30:00', '2026-03-08T08:00:00Z', 'America/New_York'),
    '2026-03-08T06:30:00.000Z');
  t.equal(bsd('Mar  8 03:30:00', '2026-03-08T08:00:00Z', 'America/New_York'),
    '2026-03-08T07:30:00.000Z');
});

t.test('a late Dec 31 stamp in New York received on Jan 1 UTC is minutes old', async (t) => {
  t.equal(bsd('Dec 31 23:30:00', '2027-01-01T04:40:00Z', 'America/New_York'),
    '2027-01-01T04:30:00.000Z');
});

t.test('isValidWallClock checks every field', async (t) => {
  const wall = { year: 2024, month: 2, day: 29, hour: 23, minute: 59, second: 59,
    millisecond: 999 };
  t.equal(isValidWallClock(wall), true);
  t.equal(isValidWallClock({ ...wall, year: 2023 }), false);
  t.equal(isValidWallClock({ ...wall, month: 0 }), false);
  t.equal(isValidWallClock({ ...wall, hour: 24 }), false);
  t.equal(isValidWallClock({ ...wall, minute: 60 }), false);
  t.equal(isValidWallClock({ ...wall, second: 60 }), false);
});

t.test('ZoneClock formats SQL seconds in its zone', async (t) => {
  const instant = at('2026-12-03T17:58:12.345Z');
  t.equal(new ZoneClock('UTC').formatSqlSeconds(instant), '2026-12-03 17:58:12');
  t.equal(new ZoneClock('Europe/Paris').formatSqlSeconds(instant), '2026-12-03 18:58:12');
  t.equal(new ZoneClock('America/New_York').formatSqlSeconds(instant), '2026-12-03 12:58:12');
});

t.test('ZoneClock formats SQL milliseconds in its zone', async (t) => {
  const instant = at('2026-12-03T17:58:12.045Z');
  t.equal(new ZoneClock('Europe/Paris').formatSqlMillis(instant), '2026-12-03 18:58:12.045');
  t.equal(new ZoneClock('UTC').formatSqlMillis(at('2026-12-03T17:58:12.000Z')),
    '2026-12-03 17:58:12.000');
});

t.test('ZoneClock formats instants before 1970', async (t) => {
  t.equal(new ZoneClock('UTC').formatSqlMillis(-1), '1969-12-31 23:59:59.999');
  t.equal(new ZoneClock('UTC').formatRfc3339(-1), '1969-12-31T23:59:59.999+00:00');
});

t.test('ZoneClock RFC 3339 stamps of one second share its cached ends', async (t) => {
  const paris = new ZoneClock('Europe/Paris');
  const stamps = ['2026-03-29T00:59:59.000Z', '2026-03-29T00:59:59.999Z',
    '2026-03-29T01:00:00.000Z', '2026-03-29T00:59:59.500Z'];
  t.strictSame(stamps.map((stamp) => paris.formatRfc3339(at(stamp))), [
    '2026-03-29T01:59:59.000+01:00', '2026-03-29T01:59:59.999+01:00',
    '2026-03-29T03:00:00.000+02:00', '2026-03-29T01:59:59.500+01:00']);
});

t.test('ZoneClock formats RFC 3339 with the zone offset', async (t) => {
  const instant = at('2026-12-03T17:58:12.345Z');
  t.equal(new ZoneClock('UTC').formatRfc3339(instant), '2026-12-03T17:58:12.345+00:00');
  t.equal(new ZoneClock('Europe/Paris').formatRfc3339(instant),
    '2026-12-03T18:58:12.345+01:00');
  t.equal(new ZoneClock('America/New_York').formatRfc3339(instant),
    '2026-12-03T12:58:12.345-05:00');
  t.equal(new ZoneClock('Asia/Kathmandu').formatRfc3339(instant),
    '2026-12-03T23:43:12.345+05:45');
});

t.test('ZoneClock formats RFC 3339 with summer time offsets', async (t) => {
  const instant = at('2026-07-14T10:00:00.000Z');
  t.equal(new ZoneClock('Europe/Paris').formatRfc3339(instant),
    '2026-07-14T12:00:00.000+02:00');
  t.equal(new ZoneClock('America/New_York').formatRfc3339(instant),
    '2026-07-14T06:00:00.000-04:00');
});

t.test('ZoneClock switches offset at the exact DST change', async (t) => {
  const paris = new ZoneClock('Europe/Paris');
  t.equal(paris.formatRfc3339(at('2026-03-29T00:59:59.999Z')),
    '2026-03-29T01:59:59.999+01:00');
  t.equal(paris.formatRfc3339(at('2026-03-29T01:00:00.000Z')),
    '2026-03-29T03:00:00.000+02:00');
  t.equal(paris.formatRfc3339(at('2026-10-25T00:59:59.999Z')),
    '2026-10-25T02:59:59.999+02:00');
  t.equal(paris.formatRfc3339(at('2026-10-25T01:00:00.000Z')),
    '2026-10-25T02:00:00.000+01:00');
});

t.test('ZoneClock formats the calendar day of its zone', async (t) => {
  const lateEvening = at('2026-12-03T23:30:00.000Z');
  t.equal(new ZoneClock('UTC').formatDate(lateEvening), '2026-12-03');
  t.equal(new ZoneClock('Europe/Paris').formatDate(lateEvening), '2026-12-04');
  t.equal(new ZoneClock('America/New_York').formatDate(at('2026-12-04T03:00:00.000Z')),
    '2026-12-03');
});

t.test('toInstant reads wall-clock time on both sides of a DST change', async (t) => {
  const paris = new ZoneClock('Europe/Paris');
  const wall = { year: 2026, month: 3, day: 29, hour: 1, minute: 30, second: 0,
    millisecond: 0 };
  t.equal(new Date(paris.toInstant(wall)).toISOString(), '2026-03-29T00:30:00.000Z');
  t.equal(new Date(paris.toInstant({ ...wall, hour: 3 })).toISOString(),
    '2026-03-29T01:30:00.000Z');
  t.equal(new Date(paris.toInstant({ ...wall, month: 10, day: 25, hour: 3 })).toISOString(),
    '2026-10-25T02:30:00.000Z');
});

t.test('toInstant reads a time in the spring gap as the later reading', async (t) => {
  const paris = new ZoneClock('Europe/Paris');
  const wall = { year: 2026, month: 3, day: 29, hour: 2, minute: 30, second: 0,
    millisecond: 0 };
  t.equal(new Date(paris.toInstant(wall)).toISOString(), '2026-03-29T01:30:00.000Z');
});

t.test('toInstant reads a time in the autumn overlap as its second occurrence', async (t) => {
  const paris = new ZoneClock('Europe/Paris');
  const wall = { year: 2026, month: 10, day: 25, hour: 2, minute: 30, second: 0,
    millisecond: 0 };
  t.equal(new Date(paris.toInstant(wall)).toISOString(), '2026-10-25T01:30:00.000Z');
});

t.test('toInstant and wallClockAt are inverse outside DST changes', async (t) => {
  const newYork = new ZoneClock('America/New_York');
  const wall = { year: 2026, month: 11, day: 1, hour: 0, minute: 59, second: 59,
    millisecond: 250 };
  t.strictSame(newYork.wallClockAt(newYork.toInstant(wall)), wall);
});

t.test('ZoneClock refuses an unknown zone with a stable code', async (t) => {
  t.throws(() => new ZoneClock('Mars/Olympus_Mons'), {
    code: 'LH_INVALID_TIMEZONE',
    message: 'Unknown time zone "Mars/Olympus_Mons"',
  });
  t.type(thrownBy(() => new ZoneClock('Mars/Olympus_Mons')), InvalidTimeZoneError);
});
