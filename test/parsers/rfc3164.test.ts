import t from 'tap';
import { ParserChain } from '../../src/parsers/chain.js';
import type { LogRecord, ReceiveMeta } from '../../src/record.js';
import { ZoneClock } from '../../src/zone-clock.js';

const RECEIVED_AT = '2026-12-03T19:30:00.000Z';

function parse(frame: string | Buffer, receivedAt = RECEIVED_AT): LogRecord {
  const meta: ReceiveMeta = {
    sourceIp: '192.0.2.10',
    sourcePort: 51514,
    transport: 'udp',
    listener: 'udp://0.0.0.0:514',
    receivedAt: new Date(receivedAt),
  };
  const bytes = typeof frame === 'string' ? Buffer.from(frame, 'utf8') : frame;
  return new ParserChain({ clock: new ZoneClock('UTC') }).parse(bytes, meta);
}

/** The parts an RFC 3164 parse fills, as plain data. */
function view(record: LogRecord): Record<string, unknown> {
  return {
    facility: record.facility,
    severity: record.severity,
    timestamp: record.timestamp?.toISOString() ?? null,
    hostname: record.hostname,
    appName: record.appName,
    procId: record.procId,
    message: record.message,
    format: record.format,
    fields: record.fields,
  };
}

t.test('RFC 3164 message from logger with TAG[PID]', async (t) => {
  const record = parse('<38>Dec  3 17:59:31 vm sshd[4321]: Accepted publickey for root');
  t.strictSame(view(record), {
    facility: 4,
    severity: 6,
    timestamp: '2026-12-03T17:59:31.000Z',
    hostname: 'vm',
    appName: 'sshd',
    procId: '4321',
    message: 'Accepted publickey for root',
    format: 'rfc3164',
    fields: {},
  });
  t.equal(record.msgId, null);
  t.equal(record.structuredData, null);
});

t.test('RFC 3164 TAG with a slash keeps the whole name', async (t) => {
  const record = parse('<22>Dec  3 18:00:00 mx1 postfix/smtpd[1234]: connect from unknown');
  t.equal(record.appName, 'postfix/smtpd');
  t.equal(record.procId, '1234');
  t.equal(record.message, 'connect from unknown');
});

t.test('RFC 3164 PID that is not a number is kept', async (t) => {
  const record = parse('<14>Dec  3 18:00:00 app1 java[worker-3]: job started');
  t.equal(record.appName, 'java');
  t.equal(record.procId, 'worker-3');
  t.equal(record.message, 'job started');
});

t.test('RFC 3164 TAG without PID', async (t) => {
  const record = parse('<13>Dec  3 18:00:00 web root: backup done');
  t.equal(record.appName, 'root');
  t.equal(record.procId, null);
  t.equal(record.message, 'backup done');
});

t.test('RFC 3164 hostname may be an IPv6 address', async (t) => {
  const record = parse('<13>Dec  3 18:00:00 2001:db8::1 app[7]: hello');
  t.equal(record.hostname, '2001:db8::1');
  t.equal(record.appName, 'app');
  t.equal(record.procId, '7');
  t.equal(record.message, 'hello');
});

t.test('RFC 3164 hostname may be an FQDN or IPv4 address', async (t) => {
  t.equal(parse('<13>Dec  3 18:00:00 db1.example.com app: x').hostname, 'db1.example.com');
  t.equal(parse('<13>Dec  3 18:00:00 192.0.2.7 app: x').hostname, '192.0.2.7');
});

t.test('RFC 3164 local-socket form has no hostname', async (t) => {
  t.strictSame(view(parse('<38>Dec  3 18:03:22 sshd[4321]: Accepted password')), {
    facility: 4,
    severity: 6,
    timestamp: '2026-12-03T18:03:22.000Z',
    hostname: null,
    appName: 'sshd',
    procId: '4321',
    message: 'Accepted password',
    format: 'rfc3164',
    fields: {},
  });
});

t.test('RFC 3164 local-socket form with TAG and colon has no hostname', async (t) => {
  const record = parse('<13>Dec  3 18:03:22 cron: job ran');
  t.equal(record.hostname, null);
  t.equal(record.appName, 'cron');
  t.equal(record.message, 'job ran');
});

t.test('RFC 3164 accepts zero-padded and unpadded days', async (t) => {
  t.equal(parse('<13>Dec 03 18:00:00 h a: x').timestamp?.toISOString(),
    '2026-12-03T18:00:00.000Z');
  t.equal(parse('<13>Dec 3 18:00:00 h a: x').timestamp?.toISOString(),
    '2026-12-03T18:00:00.000Z');
});

t.test('RFC 3164 timestamp with a fraction', async (t) => {
  const record = parse('<13>Dec  3 18:00:00.250 h a: x');
  t.equal(record.timestamp?.toISOString(), '2026-12-03T18:00:00.250Z');
  t.equal(record.hostname, 'h');
});

t.test('RFC 3164 timestamp with the year after the day', async (t) => {
  const record = parse('<13>Jan  6 2022 20:52:12 sw1 a: x');
  t.equal(record.timestamp?.toISOString(), '2022-01-06T20:52:12.000Z');
  t.equal(record.hostname, 'sw1');
});

t.test('RFC 3164 Dec 31 received on New Year is read in the old year', async (t) => {
  const record = parse('<13>Dec 31 23:59:59 h a: x', '2027-01-01T00:00:01.000Z');
  t.equal(record.timestamp?.toISOString(), '2026-12-31T23:59:59.000Z');
});

t.test('RFC 3164 Feb 29 without a valid year is flagged and left out', async (t) => {
  const record = parse('<13>Feb 29 12:00:00 h a: x', '2026-06-01T00:00:00.000Z');
  t.equal(record.timestamp, null);
  t.strictSame(record.fields, { timestamp_invalid: 'Feb 29 12:00:00' });
  t.equal(record.hostname, 'h');
  t.equal(record.message, 'x');
});

t.test('RFC 3164 slot may hold an RFC 3339 stamp with an offset', async (t) => {
  const record = parse('<13>2026-12-03T18:00:00.123456+01:00 web1 app[9]: hi');
  t.equal(record.timestamp?.toISOString(), '2026-12-03T17:00:00.123Z');
  t.equal(record.hostname, 'web1');
  t.equal(record.appName, 'app');
  t.equal(record.procId, '9');
  t.equal(record.message, 'hi');
  t.equal(record.format, 'rfc3164');
});

t.test('RFC 3164 slot may hold an RFC 3339 stamp with Z', async (t) => {
  const record = parse('<13>2026-12-03T18:00:00Z web1 app: hi');
  t.equal(record.timestamp?.toISOString(), '2026-12-03T18:00:00.000Z');
  t.equal(record.hostname, 'web1');
});

t.test('RFC 3164 slot with an invalid RFC 3339 stamp keeps the header', async (t) => {
  const record = parse('<13>2016-12-31T23:59:60Z web1 app: hi');
  t.equal(record.timestamp, null);
  t.strictSame(record.fields, { timestamp_invalid: '2016-12-31T23:59:60Z' });
  t.equal(record.hostname, 'web1');
  t.equal(record.message, 'hi');
});

t.test('RFC 3164 date and time with a space is not a timestamp', async (t) => {
  const record = parse('<13>2026-12-03 18:00:00 something happened');
  t.equal(record.timestamp, null);
  t.equal(record.hostname, null);
  t.equal(record.message, '2026-12-03 18:00:00 something happened');
});

t.test('RFC 3164 without a timestamp has no hostname', async (t) => {
  t.strictSame(view(parse('<13>myhost app: hello')), {
    facility: 1,
    severity: 5,
    timestamp: null,
    hostname: null,
    appName: null,
    procId: null,
    message: 'myhost app: hello',
    format: 'rfc3164',
    fields: {},
  });
});

t.test('RFC 3164 without a timestamp still reads a leading TAG', async (t) => {
  const record = parse('<13>app[5]: hello');
  t.equal(record.hostname, null);
  t.equal(record.appName, 'app');
  t.equal(record.procId, '5');
  t.equal(record.message, 'hello');
});

t.test('RFC 3164 TAG[PID] without a colon is all message', async (t) => {
  const record = parse('<13>Dec  3 18:00:00 h app[123] without colon');
  t.equal(record.hostname, 'h');
  t.equal(record.appName, null);
  t.equal(record.procId, null);
  t.equal(record.message, 'app[123] without colon');
});

t.test('RFC 3164 TAG without a colon is all message', async (t) => {
  const record = parse('<13>Dec  3 18:00:00 h app An application event');
  t.equal(record.appName, null);
  t.equal(record.message, 'app An application event');
});

t.test('RFC 3164 unclosed PID bracket is all message', async (t) => {
  const record = parse('<13>Dec  3 18:00:00 h app[12: x');
  t.equal(record.appName, null);
  t.equal(record.procId, null);
  t.equal(record.message, 'app[12: x');
});

t.test('RFC 3164 removes only one space after the colon', async (t) => {
  const record = parse('<85>Dec  3 18:00:00 h sudo:    alice : TTY=pts/0');
  t.equal(record.appName, 'sudo');
  t.equal(record.message, '   alice : TTY=pts/0');
});

t.test('RFC 3164 content right after the colon is kept whole', async (t) => {
  t.equal(parse('<13>Dec  3 18:00:00 h app:x').message, 'x');
});

t.test('RFC 3164 empty content is an empty message', async (t) => {
  const record = parse('<13>Dec  3 18:00:00 h app:');
  t.equal(record.appName, 'app');
  t.equal(record.message, '');
});

t.test('RFC 3164 with only a timestamp and hostname', async (t) => {
  const record = parse('<13>Dec  3 18:00:00 h');
  t.equal(record.hostname, 'h');
  t.equal(record.appName, null);
  t.equal(record.message, '');
});

t.test('RFC 3164 with a leading-zero PRI is flagged', async (t) => {
  const record = parse('<014>Dec  3 18:00:00 h a: x');
  t.equal(record.facility, 1);
  t.equal(record.severity, 6);
  t.strictSame(record.fields, { pri_leading_zero: true });
});

t.test('a PRI-less frame with a parseable header is RFC 3164 flagged pri_missing', async (t) => {
  t.strictSame(view(parse('Dec  3 18:00:00 h app[1]: hello')), {
    facility: 1,
    severity: 5,
    timestamp: '2026-12-03T18:00:00.000Z',
    hostname: 'h',
    appName: 'app',
    procId: '1',
    message: 'hello',
    format: 'rfc3164',
    fields: { pri_missing: true },
  });
});

t.test('a PRI-less frame without a header is unparsed and kept whole', async (t) => {
  t.strictSame(view(parse('just some text: with a colon')), {
    facility: 1,
    severity: 5,
    timestamp: null,
    hostname: null,
    appName: null,
    procId: null,
    message: 'just some text: with a colon',
    format: 'unparsed',
    fields: { pri_missing: true },
  });
});

t.test('a PRI-less frame that starts like a TAG is still unparsed', async (t) => {
  const record = parse('app[5]: hello');
  t.equal(record.format, 'unparsed');
  t.equal(record.appName, null);
  t.equal(record.procId, null);
  t.equal(record.message, 'app[5]: hello');
});

t.test('an invalid PRI makes the frame unparsed with the PRI kept', async (t) => {
  t.strictSame(view(parse('<999>Dec  3 18:00:00 h app[1]: hello')), {
    facility: 1,
    severity: 5,
    timestamp: null,
    hostname: null,
    appName: null,
    procId: null,
    message: '<999>Dec  3 18:00:00 h app[1]: hello',
    format: 'unparsed',
    fields: { pri_invalid: '999' },
  });
});

t.test('an empty PRI makes the frame unparsed', async (t) => {
  const record = parse('<>hello');
  t.equal(record.format, 'unparsed');
  t.equal(record.message, '<>hello');
  t.strictSame(record.fields, { pri_invalid: '<>' });
});

t.test('an unterminated PRI makes the frame unparsed', async (t) => {
  const record = parse('<13 hello');
  t.equal(record.format, 'unparsed');
  t.equal(record.message, '<13 hello');
  t.strictSame(record.fields, { pri_invalid: '<13 (no ">")' });
});

t.test('windows-1252 bytes are decoded and flagged', async (t) => {
  const frame = Buffer.concat([Buffer.from('<13>Dec  3 18:00:00 h app: caf'),
    Buffer.from([0xe9, 0x20, 0x80])]);
  const record = parse(frame);
  t.equal(record.message, 'café €');
  t.strictSame(record.fields, { encoding: 'windows-1252' });
});

t.test('the raw bytes of the frame are kept on the record', async (t) => {
  const frame = Buffer.from([0x3c, 0x31, 0x33, 0x3e, 0x92]);
  t.equal(parse(frame).raw, frame);
});
