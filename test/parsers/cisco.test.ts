import t from 'tap';
import { parseLine, view } from '../helpers/corpus.js';

const CONFIG_TEXT = 'Configured from console by vty0 (10.0.0.5)';

t.test('Cisco default line: counter, unset clock and mnemonic', async (t) => {
  const record = parseLine(`<189>123: *Mar  1 00:01:02.345: %SYS-5-CONFIG_I: ${CONFIG_TEXT}`);
  t.strictSame(view(record), {
    format: 'cisco',
    facility: 23,
    severity: 5,
    timestamp: null,
    hostname: null,
    appName: null,
    procId: null,
    message: `%SYS-5-CONFIG_I: ${CONFIG_TEXT}`,
    fields: {
      msg_count: 123,
      seq: null,
      facility_mnemonic: 'SYS',
      cisco_severity: 5,
      mnemonic: 'CONFIG_I',
      clock_flag: '*',
      text: CONFIG_TEXT,
      device_time: 'Mar  1 00:01:02.345',
    },
  });
});

t.test('Cisco sequence number follows the message counter', async (t) => {
  const record = parseLine(`<189>124: 000118: *Mar  1 00:01:05.111: %SYS-5-CONFIG_I: x`);
  t.equal(record.fields.msg_count, 124);
  t.equal(record.fields.seq, 118);
});

t.test('Cisco stamp labelled CET is wall-clock time in --timezone', async (t) => {
  const record = parseLine('<187>57: Dec  3 18:46:11.123 CET: %LINK-3-UPDOWN: Interface Gi0/1,' +
    ' changed state to down', { timeZone: 'Europe/Paris' });
  t.equal(record.timestamp?.toISOString(), '2026-12-03T17:46:11.123Z');
  t.equal(record.fields.tz, 'CET');
  t.equal(record.severity, 3);
  t.equal(record.fields.cisco_severity, 3);
});

t.test('Cisco stamp labelled UTC is an instant whatever --timezone says', async (t) => {
  const record = parseLine('<189>58: Dec  3 17:46:12.456 UTC: %LINEPROTO-5-UPDOWN: Line down',
    { timeZone: 'Europe/Paris' });
  t.equal(record.timestamp?.toISOString(), '2026-12-03T17:46:12.456Z');
  t.equal(record.fields.tz, 'UTC');
});

t.test('Cisco stamp labelled GMT is an instant too', async (t) => {
  const record = parseLine('<189>58: Dec  3 17:46:12 GMT: %LINEPROTO-5-UPDOWN: Line down',
    { timeZone: 'America/New_York' });
  t.equal(record.timestamp?.toISOString(), '2026-12-03T17:46:12.000Z');
});

t.test('Cisco zone label with an offset is still an admin label', async (t) => {
  const record = parseLine('<189>387448: acc-sw7: May  6 16:13:09.123 UTC+1: %DOT1X-5-FAIL: ' +
    'Authentication failed', { timeZone: 'Europe/Paris', receivedAt: '2026-05-06T14:20:00Z' });
  t.equal(record.timestamp?.toISOString(), '2026-05-06T14:13:09.123Z');
  t.equal(record.fields.tz, 'UTC+1');
  t.equal(record.hostname, 'acc-sw7');
  t.equal(record.fields.origin_id, 'acc-sw7');
});

t.test('Cisco year printed after the day is used instead of the closest year', async (t) => {
  const record = parseLine('<189>2360957: Jan  6 2022 20:52:12.861: %SYS-5-CONFIG_I: x');
  t.equal(record.timestamp?.toISOString(), '2022-01-06T20:52:12.861Z');
  t.equal(record.fields.msg_count, 2360957);
});

t.test('Cisco without a message counter starts with a bare colon', async (t) => {
  const record = parseLine('<189>: Jan  6 2022 20:54:26.961: %SYS-5-CONFIG_I: x');
  t.equal(record.format, 'cisco');
  t.equal(record.fields.msg_count, null);
  t.equal(record.timestamp?.toISOString(), '2022-01-06T20:54:26.961Z');
});

t.test('Cisco origin-id, sequence number and UTC stamp with a year', async (t) => {
  const record = parseLine('<190>3132811: core-sw1: 3132807: Jul 14 2023 08:23:43.398 UTC: ' +
    '%SEC-6-IPACCESSLOGP: list 101 denied tcp 10.1.1.1(51234) -> 10.2.2.2(443), 1 packet');
  t.equal(record.hostname, 'core-sw1');
  t.equal(record.fields.msg_count, 3132811);
  t.equal(record.fields.seq, 3132807);
  t.equal(record.timestamp?.toISOString(), '2023-07-14T08:23:43.398Z');
});

t.test('Cisco origin-id given as an IP address becomes the host', async (t) => {
  const record = parseLine('<189>12: 10.0.0.1: *Mar  1 00:01:02: %SYS-5-CONFIG_I: x');
  t.equal(record.hostname, '10.0.0.1');
});

t.test('Cisco uptime stamps use the receive time', async (t) => {
  for (const uptime of ['00:00:46', '1w2d', '2d03h', '1y2w']) {
    const record = parseLine(`<189>41: ${uptime}: %SYS-5-CONFIG_I: Configured from console`);
    t.equal(record.format, 'cisco', uptime);
    t.equal(record.timestamp, null, uptime);
    t.equal(record.fields.uptime, uptime, uptime);
  }
});

t.test('Cisco "." flag: the clock is set but not synchronised, its time is used', async (t) => {
  const record = parseLine('<190>88: .Jun 15 12:00:00.123 UTC: %NTP-6-PEERSYNC: NTP synced',
    { receivedAt: '2026-06-15T12:00:05Z' });
  t.equal(record.fields.clock_flag, '.');
  t.equal(record.timestamp?.toISOString(), '2026-06-15T12:00:00.123Z');
});

t.test('Cisco without any stamp uses the receive time', async (t) => {
  const record = parseLine('<189>123: %SYS-5-CONFIG_I: Configured from console');
  t.equal(record.format, 'cisco');
  t.equal(record.timestamp, null);
  t.equal(record.fields.clock_flag, null);
});

t.test('Cisco stamp on an impossible date is flagged and not used', async (t) => {
  const record = parseLine('<189>5: Feb 30 10:00:00: %SYS-5-CONFIG_I: x');
  t.equal(record.format, 'cisco');
  t.equal(record.timestamp, null);
  t.equal(record.fields.timestamp_invalid, 'Feb 30 10:00:00');
});

t.test('Cisco stack member suffix is kept as a field', async (t) => {
  const record = parseLine('<187>61: Mar  1 18:46:11: %LINK-3-UPDOWN: Interface Gi2/0/1, changed' +
    ' state to up (Switch-2)');
  t.equal(record.fields.stack_member, 'Switch-2');
  t.equal(parseLine(`<189>1: %SYS-5-CONFIG_I: ${CONFIG_TEXT}`).fields.stack_member, undefined);
});

t.test('Cisco mnemonic splits on the first two dashes only', async (t) => {
  const record = parseLine('<188>71: Dec  3 18:50:02.001 UTC: %SW_MATM-4-MACFLAP_NOTIF: Host ' +
    '0011.2233.4455 in vlan 10 is flapping');
  t.equal(record.fields.facility_mnemonic, 'SW_MATM');
  t.equal(record.fields.cisco_severity, 4);
  t.equal(record.fields.mnemonic, 'MACFLAP_NOTIF');
});

t.test('Cisco relayed by rsyslog keeps the relay host and reads the device stamp', async (t) => {
  const record = parseLine('<189>Dec  3 19:01:51 10.9.8.7 57: Dec  3 18:46:11.123 UTC: ' +
    '%LINK-3-UPDOWN: Interface Gi0/1, changed state to down', { timeZone: 'Europe/Paris' });
  t.equal(record.format, 'cisco');
  t.equal(record.hostname, '10.9.8.7');
  t.equal(record.appName, null);
  t.equal(record.message, '%LINK-3-UPDOWN: Interface Gi0/1, changed state to down');
  t.equal(record.fields.msg_count, 57);
  t.equal(record.timestamp?.toISOString(), '2026-12-03T18:46:11.123Z');
});

t.test('Cisco relayed by syslog-ng with only the zone left reads the header stamp in it',
  async (t) => {
    const record = parseLine('<189>Dec  3 17:46:12 127.0.0.1 UTC: %LINEPROTO-5-UPDOWN: Line ' +
      'protocol on Interface Gi0/1, changed state to down', { timeZone: 'Europe/Paris' });
    t.equal(record.format, 'cisco');
    t.equal(record.fields.tz, 'UTC');
    t.equal(record.timestamp?.toISOString(), '2026-12-03T17:46:12.000Z');
    t.equal(record.hostname, '127.0.0.1');
  });

t.test('Cisco relayed by syslog-ng as RFC 5424 keeps the relay split', async (t) => {
  const record = parseLine('<189>1 2026-03-01T00:01:02-05:00 127.0.0.1 %SYS-5-CONFIG_I - - ' +
    `[meta sequenceId="123"][timeQuality isSynced="0"] ${CONFIG_TEXT}\n`.trimEnd());
  t.strictSame(view(record), {
    format: 'cisco',
    facility: 23,
    severity: 5,
    timestamp: '2026-03-01T05:01:02.000Z',
    hostname: '127.0.0.1',
    appName: '%SYS-5-CONFIG_I',
    procId: null,
    message: CONFIG_TEXT,
    fields: {
      msg_count: 123, seq: null, facility_mnemonic: 'SYS', cisco_severity: 5,
      mnemonic: 'CONFIG_I', clock_flag: null, text: CONFIG_TEXT,
    },
  });
});

t.test('a program writing "%" after its TAG is not Cisco', async (t) => {
  const formatString = parseLine('<14>Dec  3 19:11:27 host1 app: %s%s%s%n%x %d');
  t.equal(formatString.format, 'rfc3164');
  t.equal(formatString.appName, 'app');

  const lookalike = parseLine('<14>Dec  3 19:11:27 host1 myapp: %FOO-3-BAR: text');
  t.equal(lookalike.format, 'rfc3164');
  t.equal(lookalike.message, '%FOO-3-BAR: text');
});

t.test('an RFC 5424 message with "%%" is not Cisco', async (t) => {
  const record = parseLine("<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - " +
    "%% It's time to make the do-nuts.");
  t.equal(record.format, 'rfc5424');
});
