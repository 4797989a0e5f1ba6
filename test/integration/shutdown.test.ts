/**
 * Stopping never loses what was received: a burst followed at once by SIGTERM is stored
 * whole, and connections still open at SIGTERM are read until their peers close them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { sendTcp, sqliteRows, startCollector } from '../helpers/collector.js';

function burst(count: number): Buffer {
  const lines: string[] = [];
  for (let index = 0; index < count; index += 1) {
    lines.push(`<13>Dec  3 19:20:00 host${index % 10} app[${index}]: message ${index}\n`);
  }
  return Buffer.from(lines.join(''));
}

function archiveLines(root: string): string[] {
  return readdirSync(root).flatMap((host) => readdirSync(join(root, host))
    .filter((file) => file !== 'current')
    .flatMap((file) => readFileSync(join(root, host, file), 'utf8').split('\n')
      .filter((line) => line !== '')));
}

t.test('a burst of 100,000 TCP messages followed at once by SIGTERM is stored whole',
  async (t) => {
    const collector = await startCollector();
    t.teardown(collector.cleanup);

    const sent = sendTcp(collector.tcpPort, [burst(100_000)]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    collector.process.kill('SIGTERM');
    await sent;
    t.equal(await collector.exited, 0, 'clean exit');

    const rows = sqliteRows(join(collector.dir, 'logs.sqlite'));
    t.equal(rows.length, 100_000, 'rows');
    t.same(rows.map((row) => Number(row.pid)),
      Array.from({ length: 100_000 }, (_, index) => index), 'every message once, in order');
    t.equal(archiveLines(join(collector.dir, 'archive')).length, 100_000, 'archive lines');
  });

t.test('a connection open at SIGTERM is read until its peer closes it', async (t) => {
  const collector = await startCollector({ args: ['--shutdown-timeout', '10'] });
  t.teardown(collector.cleanup);

  const socket = connect(collector.tcpPort, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write('<13>Dec  3 19:20:00 host1 app: before stop\n');
  await new Promise((resolve) => setTimeout(resolve, 200));
  collector.process.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 300));
  socket.end('<13>Dec  3 19:20:01 host1 app: after stop\n');
  t.equal(await collector.exited, 0);

  const messages = sqliteRows(join(collector.dir, 'logs.sqlite')).map((row) => row.msg);
  t.same(messages, ['before stop', 'after stop']);
});

t.test('a connection still open when the shutdown timeout ends is closed and its last line kept',
  async (t) => {
    const collector = await startCollector({ args: ['--shutdown-timeout', '1'] });
    t.teardown(collector.cleanup);

    const socket = connect(collector.tcpPort, '127.0.0.1');
    socket.on('error', () => {});
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('<13>Dec  3 19:20:00 host1 app: complete\n<13>Dec  3 19:20:01 host1 app: no LF');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    collector.process.kill('SIGTERM');
    t.equal(await collector.exited, 0);
    t.ok(Date.now() - started >= 900, 'waited for the grace period');

    const messages = sqliteRows(join(collector.dir, 'logs.sqlite')).map((row) => row.msg);
    t.same(messages, ['complete', 'no LF']);
    socket.destroy();
  });
