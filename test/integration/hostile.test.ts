/**
 * Hostile datagrams and streams against the running collector: it keeps running, stores or
 * counts each one, and never writes outside the archive root.
 */
import { readdirSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join, relative } from 'node:path';
import t from 'tap';
import {
  fetchJson, sendTcp, sendUdp, sqliteRows, startCollector, waitFor,
} from '../helpers/collector.js';

function filesUnder(root: string, directory = root): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? filesUnder(root, path) : [relative(root, path)];
  });
}

t.test('hostile datagrams are stored or counted and never escape the archive root',
  async (t) => {
    const collector = await startCollector();
    t.teardown(collector.cleanup);

    await sendUdp(collector.udpPort, [
      Buffer.alloc(0),
      '\n',
      '<',
      '<999>Dec  3 19:11:00 host1 app: pri 999',
      Buffer.concat([Buffer.from('<14>Dec  3 19:11:05 host1 app: '), Buffer.alloc(65_476, 'x')]),
      Buffer.from('<14>Dec  3 19:11:24 host1 app: a\x00b', 'latin1'),
      Buffer.from('<14>Dec  3 19:11:25 host1 app: caf\xe9 \x92ok\x92', 'latin1'),
      '<14>Dec  3 19:11:12 ../../etc app: hostname is a path',
      '<14>Dec  3 19:11:13 .. app: dotdot host',
    ]);
    await waitFor(async () => {
      const stats = (await fetchJson(collector.httpPort, '/stats.json')).body;
      return stats.stored_sql === 7 && stats.dropped_empty === 2;
    });
    t.equal(await collector.stop(), 0, 'still running, stops cleanly');

    const rows = sqliteRows(join(collector.dir, 'logs.sqlite'));
    t.same(rows.map((row) => [row.host, row.format, row.facility_num, row.severity_num]), [
      ['127.0.0.1', 'unparsed', 1, 5],
      ['127.0.0.1', 'unparsed', 1, 5],
      ['host1', 'rfc3164', 1, 6],
      ['host1', 'rfc3164', 1, 6],
      ['host1', 'rfc3164', 1, 6],
      ['../../etc', 'rfc3164', 1, 6],
      ['..', 'rfc3164', 1, 6],
    ]);
    t.same(rows.map((row) => row.msg).slice(0, 2),
      ['<', '<999>Dec  3 19:11:00 host1 app: pri 999']);
    t.same(JSON.parse(String(rows[0].fields)), { pri_invalid: '< (no ">")' });
    t.equal(String(rows[2].msg).length, 65_476, 'a 65,507-byte datagram is kept whole');
    t.equal(rows[3].msg, 'a\uFFFDb', 'NUL stored as U+FFFD');
    t.equal(rows[4].msg, 'café ’ok’', 'windows-1252 fallback');
    t.same(JSON.parse(String(rows[4].fields)), { encoding: 'windows-1252' });

    const today = new Date().toISOString().slice(0, 10);
    t.same(filesUnder(join(collector.dir, 'archive')).sort(), [
      `.._.._etc/${today}.log`, '.._.._etc/current', `127.0.0.1/${today}.log`,
      '127.0.0.1/current', `_/${today}.log`, '_/current', `host1/${today}.log`,
      'host1/current',
    ]);
    const allowed = new Set(['archive', 'spool', 'logs.sqlite', 'logs.sqlite-shm',
      'logs.sqlite-wal']);
    t.same(readdirSync(collector.dir).filter((name) => !allowed.has(name)), [],
      'nothing written beside the archive and the database');
  });

t.test('a datagram above --max-message-size is truncated and flagged', async (t) => {
  const collector = await startCollector({ args: ['--max-message-size', '1024'] });
  t.teardown(collector.cleanup);

  await sendUdp(collector.udpPort, [`<14>Dec  3 19:11:05 host1 app: ${'y'.repeat(2000)}`]);
  await waitFor(async () => (await fetchJson(collector.httpPort, '/stats.json'))
    .body.stored_sql === 1);
  const stats = (await fetchJson(collector.httpPort, '/stats.json')).body;
  t.equal(stats.truncated, 1);
  t.equal(await collector.stop(), 0);

  const [row] = sqliteRows(join(collector.dir, 'logs.sqlite'));
  t.equal(String(row.msg).length, 1024 - '<14>Dec  3 19:11:05 host1 app: '.length);
  t.same(JSON.parse(String(row.fields)), { truncated: ['msg'] });
});

t.test('a client that resets or sends garbage does not affect another connection',
  async (t) => {
    const collector = await startCollector();
    t.teardown(collector.cleanup);

    const rude = connect(collector.tcpPort, '127.0.0.1');
    rude.on('error', () => {});
    await new Promise((resolve) => rude.once('connect', resolve));
    rude.write(Buffer.from([0xff, 0x00, 0x35, 0x20, 0x3c, 0x00, 0x0a, 0x99, 0x0a]));
    rude.write('100 <13>1 - - - - - - partial frame');
    await new Promise((resolve) => setTimeout(resolve, 100));
    rude.resetAndDestroy();
    await sendTcp(collector.tcpPort, ['<13>Dec  3 19:20:00 host2 app: polite\n']);
    await waitFor(async () => (await fetchJson(collector.httpPort, '/stats.json'))
      .body.dropped_partial_frame === 1);
    t.equal(await collector.stop(), 0);

    const messages = sqliteRows(join(collector.dir, 'logs.sqlite')).map((row) => row.msg);
    t.ok(messages.includes('polite'), 'the other connection is stored');
  });

t.test('frames of one read are read alike whether the read is all ASCII or not', async (t) => {
  const collector = await startCollector();
  t.teardown(collector.cleanup);
  const ascii = '<13>Dec  3 19:20:00 h1 app[7]: first\n<14>Dec  3 19:20:01 h1 app: second\r\n' +
    '<15>Dec  3 19:20:02 h1 app: third\n';
  const mixed = Buffer.concat([Buffer.from('<13>Dec  3 19:20:03 h2 app: caf'),
    Buffer.from([0xe9, 0x0a]), Buffer.from('<13>Dec  3 19:20:04 h2 app: plain\n')]);
  const socket = connect(collector.tcpPort, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  for (const chunk of [ascii, mixed, '<13>Dec  3 19:20:05 h3 app: spl', 'it\n']) {
    socket.write(chunk);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  socket.end();
  await waitFor(async () => (await fetchJson(collector.httpPort, '/stats.json'))
    .body.stored_sql === 6);
  t.equal(await collector.stop(), 0);

  const rows = sqliteRows(join(collector.dir, 'logs.sqlite'));
  t.strictSame(rows.map((row) => [row.host, row.program, row.pid, row.msg, row.level]), [
    ['h1', 'app', '7', 'first', 'notice'], ['h1', 'app', null, 'second', 'info'],
    ['h1', 'app', null, 'third', 'debug'], ['h2', 'app', null, 'café', 'notice'],
    ['h2', 'app', null, 'plain', 'notice'], ['h3', 'app', null, 'split', 'notice']]);
  t.equal(JSON.parse(String(rows[3].fields)).encoding, 'windows-1252');
});
