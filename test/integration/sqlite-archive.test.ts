/**
 * The real collector on port 0 with its default SQLite table and line archive: messages sent
 * over UDP, TCP with LF framing and TCP with octet counting end up as exact rows and lines.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import {
  fetchJson, nearestYear, sendTcp, sendUdp, sqliteRows, startCollector, waitFor,
} from '../helpers/collector.js';

const COLUMNS = ['host', 'facility', 'priority', 'level', 'tag', 'datetime', 'program', 'msg',
  'source_ip', 'facility_num', 'severity_num', 'pid', 'msgid', 'sd', 'fields', 'format'];

function pick(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(COLUMNS.map((column) => [column, row[column]]));
}

t.test('messages over UDP, TCP LF and TCP octet counting become exact rows and lines',
  async (t) => {
    const october = nearestYear(10, 11);
    const december = nearestYear(12, 3);
    const collector = await startCollector();
    t.teardown(collector.cleanup);

    await sendUdp(collector.udpPort, [
      '<34>Oct 11 22:14:15 mymachine su: \'su root\' failed for lonvick on /dev/pts/8',
    ]);
    await sendTcp(collector.tcpPort, [
      '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 ' +
        '[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] ' +
        '\uFEFFAn application event log entry\n',
      '<13>Dec  3 19:20:00 host1 app[42]: tab\there\r\n',
    ]);
    const octet = '<14>1 2026-12-03T19:20:02Z host app - - - line one\nline two';
    await sendTcp(collector.tcpPort, [`${Buffer.byteLength(octet)} ${octet}`]);
    await waitFor(async () => (await fetchJson(collector.httpPort, '/stats.json'))
      .body.received === 4);
    t.equal(await collector.stop(), 0, 'exits 0 on SIGTERM');

    const rows = sqliteRows(join(collector.dir, 'logs.sqlite'));
    t.same(rows.map(pick), [
      { host: 'mymachine', facility: 'auth', priority: 'crit', level: 'crit', tag: '22',
        datetime: `${october}-10-11 22:14:15`, program: 'su', pid: null, msgid: null, sd: null,
        msg: '\'su root\' failed for lonvick on /dev/pts/8', source_ip: '127.0.0.1',
        facility_num: 4, severity_num: 2, fields: null, format: 'rfc3164' },
      { host: 'mymachine.example.com', facility: 'local4', priority: 'notice', level: 'notice',
        tag: 'a5', datetime: '2003-10-11 22:14:15', program: 'evntslog', pid: null,
        msgid: 'ID47', msg: 'An application event log entry', source_ip: '127.0.0.1',
        sd: '{"exampleSDID@32473":{"iut":"3","eventSource":"Application","eventID":"1011"}}',
        facility_num: 20, severity_num: 5, fields: null, format: 'rfc5424' },
      { host: 'host1', facility: 'user', priority: 'notice', level: 'notice', tag: '0d',
        datetime: `${december}-12-03 19:20:00`, program: 'app', pid: '42', msgid: null, sd: null,
        msg: 'tab\there', source_ip: '127.0.0.1', facility_num: 1, severity_num: 5,
        fields: null, format: 'rfc3164' },
      { host: 'host', facility: 'user', priority: 'info', level: 'info', tag: '0e',
        datetime: '2026-12-03 19:20:02', program: 'app', pid: null, msgid: null, sd: null,
        msg: 'line one\nline two', source_ip: '127.0.0.1', facility_num: 1, severity_num: 6,
        fields: null, format: 'rfc5424' },
    ]);
    t.match(String(rows[0].received_at), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);

    const archive = join(collector.dir, 'archive');
    const today = new Date().toISOString().slice(0, 10);
    t.same(readdirSync(archive).sort(), ['host', 'host1', 'mymachine', 'mymachine.example.com']);
    t.equal(readFileSync(join(archive, 'host1', `${today}.log`), 'utf8'),
      `${december}-12-03T19:20:00.000+00:00 host1 app[42]: tab#011here\n`);
    t.equal(readFileSync(join(archive, 'host', `${today}.log`), 'utf8'),
      '2026-12-03T19:20:02.000+00:00 host app: line one#012line two\n');
    t.equal(readFileSync(join(archive, 'mymachine', `${today}.log`), 'utf8'),
      `${october}-10-11T22:14:15.000+00:00 mymachine su: 'su root' failed for lonvick on ` +
      '/dev/pts/8\n');
  });

const hasLogger = (() => {
  try {
    execFileSync('logger', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

t.test('logger from util-linux over UDP and TCP, RFC 3164 and RFC 5424',
  { skip: hasLogger ? false : 'logger (util-linux) is not installed' }, async (t) => {
    const collector = await startCollector();
    t.teardown(collector.cleanup);
    const port = String(collector.udpPort);
    const tcpPort = String(collector.tcpPort);

    execFileSync('logger', ['-n', '127.0.0.1', '-P', port, '-t', 'udp5424', '--id=77',
      '-p', 'local3.warning', '--sd-id', 'zoo@32473', '--sd-param', 'tiger="hungry"', 'été']);
    execFileSync('logger', ['-n', '127.0.0.1', '-P', port, '--rfc3164', '-t', 'udp3164',
      '-p', 'auth.info', 'plain 3164']);
    execFileSync('logger', ['-n', '127.0.0.1', '-P', tcpPort, '-T', '-t', 'tcplf', 'over tcp']);
    execFileSync('logger', ['-n', '127.0.0.1', '-P', tcpPort, '-T', '--octet-count',
      '-t', 'tcpoctet', 'octet counted']);
    await waitFor(async () => (await fetchJson(collector.httpPort, '/stats.json'))
      .body.stored_sql === 4);
    t.equal(await collector.stop(), 0);

    const rows = sqliteRows(join(collector.dir, 'logs.sqlite'));
    const byProgram = Object.fromEntries(rows.map((row) => [row.program, row]));
    t.same(Object.keys(byProgram).sort(), ['tcplf', 'tcpoctet', 'udp3164', 'udp5424']);
    t.match(byProgram.udp5424, { msg: 'été', pid: '77', facility: 'local3',
      priority: 'warning', format: 'rfc5424', source_ip: '127.0.0.1' });
    t.match(JSON.parse(String(byProgram.udp5424.sd)), { 'zoo@32473': { tiger: 'hungry' } });
    t.match(byProgram.udp3164, { msg: 'plain 3164', facility: 'auth', priority: 'info',
      format: 'rfc3164' });
    t.match(byProgram.tcplf, { msg: 'over tcp', format: 'rfc5424' });
    t.match(byProgram.tcpoctet, { msg: 'octet counted', format: 'rfc5424' });
    const hostname = String(byProgram.tcplf.host);
    t.ok(existsSync(join(collector.dir, 'archive', hostname)), 'archive directory per host');
  });
