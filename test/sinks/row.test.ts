import t from 'tap';
import type { LogRecord } from '../../src/record.js';
import { ROW_COLUMNS, RowMapper, withoutNul, type HostFrom } from '../../src/sinks/row.js';
import { ZoneClock } from '../../src/zone-clock.js';

function record(overrides: Partial<LogRecord> = {}): LogRecord {
  return {
    meta: {
      sourceIp: '192.0.2.10',
      sourcePort: 51514,
      transport: 'tcp',
      listener: 'tcp://0.0.0.0:514',
      receivedAt: new Date('2026-12-03T17:58:13.042Z'),
    },
    raw: Buffer.from('<13>1 ...'),
    facility: 1,
    severity: 5,
    timestamp: new Date('2026-12-03T17:58:12.345Z'),
    hostname: 'web01',
    appName: 'sshd',
    procId: '4321',
    msgId: 'ID47',
    structuredData: { 'x@1': { a: '1', ip: ['192.0.2.1', '192.0.2.2'] } },
    message: 'hello',
    format: 'rfc5424',
    fields: {},
    ...overrides,
  };
}

function mapper(zone = 'Europe/Paris', hostFrom: HostFrom = 'header'): RowMapper {
  return new RowMapper({ clock: new ZoneClock(zone), hostFrom });
}

function row(overrides: Partial<LogRecord> = {}, zone?: string, hostFrom?: HostFrom) {
  return mapper(zone, hostFrom).toRow(record(overrides));
}

t.test('a record fills every column of the logs table', async (t) => {
  t.strictSame(row(), {
    host: 'web01',
    facility: 'user',
    priority: 'notice',
    level: 'notice',
    tag: '0d',
    datetime: '2026-12-03 18:58:12',
    program: 'sshd',
    msg: 'hello',
    received_at: '2026-12-03 18:58:13.042',
    source_ip: '192.0.2.10',
    facility_num: 1,
    severity_num: 5,
    pid: '4321',
    msgid: 'ID47',
    sd: '{"x@1":{"a":"1","ip":["192.0.2.1","192.0.2.2"]}}',
    fields: null,
    format: 'rfc5424',
  });
});

t.test('the row has the columns of the logs table in order, without seq', async (t) => {
  t.strictSame(ROW_COLUMNS, ['host', 'facility', 'priority', 'level', 'tag', 'datetime',
    'program', 'msg', 'received_at', 'source_ip', 'facility_num', 'severity_num', 'pid',
    'msgid', 'sd', 'fields', 'format']);
  t.strictSame(Object.keys(row()), [...ROW_COLUMNS]);
});

t.test('tag is the PRI as two lower-case hex digits', async (t) => {
  t.equal(row({ facility: 1, severity: 5 }).tag, '0d');
  t.equal(row({ facility: 23, severity: 7 }).tag, 'bf');
  t.equal(row({ facility: 0, severity: 0 }).tag, '00');
  t.equal(row({ facility: 2, severity: 2 }).tag, '12');
});

t.test('facility and severity names follow the classic table', async (t) => {
  t.strictSame(row({ facility: 4, severity: 2 }), { ...row(), facility: 'auth',
    priority: 'crit', level: 'crit', tag: '22', facility_num: 4, severity_num: 2 });
  t.equal(row({ facility: 10 }).facility, 'authpriv');
  t.equal(row({ facility: 13 }).facility, 'security');
  t.equal(row({ facility: 15 }).facility, 'solaris-cron');
  t.equal(row({ facility: 16 }).facility, 'local0');
  t.equal(row({ facility: 23 }).facility, 'local7');
  t.equal(row({ severity: 0 }).priority, 'emerg');
  t.equal(row({ severity: 4 }).priority, 'warning');
  t.equal(row({ severity: 7 }).priority, 'debug');
});

t.test('host comes from the header by default', async (t) => {
  t.equal(row({ hostname: 'db1.example.com' }).host, 'db1.example.com');
});

t.test('host falls back to the source address when the header has none', async (t) => {
  t.equal(row({ hostname: null }).host, '192.0.2.10');
});

t.test('host-from source always uses the sender address', async (t) => {
  const sourced = row({ hostname: 'spoofed-name' }, 'UTC', 'source');
  t.equal(sourced.host, '192.0.2.10');
  t.equal(sourced.fields, null);
});

t.test('a 300-character host is cut to 255 and flagged', async (t) => {
  const mapped = row({ hostname: 'h'.repeat(300) });
  t.equal(mapped.host, 'h'.repeat(255));
  t.equal(mapped.fields, '{"truncated":["host"]}');
});

t.test('a host of exactly 255 characters is kept and not flagged', async (t) => {
  const mapped = row({ hostname: 'h'.repeat(255) });
  t.equal(mapped.host, 'h'.repeat(255));
  t.equal(mapped.fields, null);
});

t.test('column limits count code points, not UTF-16 units', async (t) => {
  const emoji = '\u{1F600}';
  const fits = row({ appName: emoji.repeat(200) });
  t.equal(fits.program, emoji.repeat(200));
  t.equal(fits.fields, null);

  const cut = row({ appName: `${emoji.repeat(300)}x` });
  t.equal(cut.program, emoji.repeat(255));
  t.equal(cut.fields, '{"truncated":["program"]}');
});

t.test('pid and msgid are cut to their columns and flagged in order', async (t) => {
  const mapped = row({ procId: 'p'.repeat(129), msgId: 'm'.repeat(33) });
  t.equal(mapped.pid, 'p'.repeat(128));
  t.equal(mapped.msgid, 'm'.repeat(32));
  t.equal(mapped.fields, '{"truncated":["pid","msgid"]}');
});

t.test('column truncation adds to flags the parser already set', async (t) => {
  const fields = { encoding: 'windows-1252', truncated: ['msg'] };
  const source = record({ hostname: 'h'.repeat(300), fields });
  const mapped = mapper().toRow(source);
  t.equal(mapped.fields, '{"encoding":"windows-1252","truncated":["msg","host"]}');
  t.strictSame(source.fields, { encoding: 'windows-1252', truncated: ['msg'] });
});

t.test('NUL becomes U+FFFD in text columns', async (t) => {
  const mapped = row({ hostname: 'h\u0000', appName: 'a\u0000', procId: '1\u0000',
    msgId: 'm\u0000', message: 'a\u0000b\u0000' });
  t.equal(mapped.host, 'h\uFFFD');
  t.equal(mapped.program, 'a\uFFFD');
  t.equal(mapped.pid, '1\uFFFD');
  t.equal(mapped.msgid, 'm\uFFFD');
  t.equal(mapped.msg, 'a\uFFFDb\uFFFD');
  t.equal(mapped.fields, null);
});

t.test('NUL becomes U+FFFD inside the JSON columns', async (t) => {
  const mapped = row({
    structuredData: { 'x@1': { a: 'v\u0000', list: ['\u0000', 'ok'] } },
    fields: { pri_invalid: '1\u00002', sd_duplicate: ['x\u0000'] },
  });
  t.equal(mapped.sd, '{"x@1":{"a":"v\uFFFD","list":["\uFFFD","ok"]}}');
  t.equal(mapped.fields, '{"pri_invalid":"1\uFFFD2","sd_duplicate":["x\uFFFD"]}');
});

t.test('withoutNul leaves text without NUL untouched', async (t) => {
  t.equal(withoutNul('plain \\u0000 text'), 'plain \\u0000 text');
  t.equal(withoutNul('\u0000'), '\uFFFD');
});

t.test('fields is null when the record has none', async (t) => {
  t.equal(row({ fields: {} }).fields, null);
  t.equal(row({ fields: { pri_missing: true } }).fields, '{"pri_missing":true}');
});

t.test('sd is null when the record has no structured data', async (t) => {
  t.equal(row({ structuredData: null }).sd, null);
});

t.test('program, pid and msgid stay NULL when absent', async (t) => {
  const mapped = row({ appName: null, procId: null, msgId: null });
  t.equal(mapped.program, null);
  t.equal(mapped.pid, null);
  t.equal(mapped.msgid, null);
});

t.test('datetime is the message stamp in the zone', async (t) => {
  t.equal(row({}, 'UTC').datetime, '2026-12-03 17:58:12');
  t.equal(row({}, 'America/New_York').datetime, '2026-12-03 12:58:12');
  t.equal(row({}, 'Asia/Kathmandu').datetime, '2026-12-03 23:43:12');
});

t.test('datetime is the receive time when the message has no stamp', async (t) => {
  t.equal(row({ timestamp: null }, 'Europe/Paris').datetime, '2026-12-03 18:58:13');
  t.equal(row({ timestamp: null }, 'America/New_York').datetime, '2026-12-03 12:58:13');
});

t.test('received_at keeps milliseconds in the zone', async (t) => {
  t.equal(row({}, 'UTC').received_at, '2026-12-03 17:58:13.042');
  t.equal(row({}, 'America/New_York').received_at, '2026-12-03 12:58:13.042');
});

t.test('eventTime and host expose the mapping to the archive', async (t) => {
  const paris = mapper();
  t.equal(paris.eventTime(record()), Date.parse('2026-12-03T17:58:12.345Z'));
  t.equal(paris.eventTime(record({ timestamp: null })), Date.parse('2026-12-03T17:58:13.042Z'));
  t.equal(paris.host(record()), 'web01');
  t.equal(mapper('UTC', 'source').host(record()), '192.0.2.10');
});
