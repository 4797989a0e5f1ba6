/**
 * Outages of a private MariaDB server (its own data directory and port) and crashes of the
 * collector: rows wait in the spool and reach the table exactly once, in order.
 *
 * Rows at risk by design: a SIGKILL of the collector loses the rows it held only in memory
 * (at most the spill threshold, taken out of memory once the database is unreachable). The
 * crash test below therefore waits until every sent row is in the spool before killing it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type Socket } from 'node:net';
import t from 'tap';
import {
  fetchJson, removeDir, startCollector, tempDir, waitFor, type Collector,
} from '../helpers/collector.js';
import { PRIVATE_MARIADB_SKIP, PrivateMariaDb } from '../helpers/private-mariadb.js';

const DATABASE = 'lh_outage';

function line(index: number): string {
  return `<13>Dec  3 19:20:00 host1 app: outage ${index}\n`;
}

function expectedMessages(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `outage ${index}`);
}

async function stats(collector: Collector): Promise<Record<string, number>> {
  return (await fetchJson(collector.httpPort, '/stats.json')).body as Record<string, number>;
}

function openStream(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
  });
}

/** Writes lines `from` .. `to - 1`, waiting for the socket to drain as a sender does. */
async function writeLines(socket: Socket, from: number, to: number): Promise<void> {
  let chunk = '';
  for (let index = from; index < to; index += 1) chunk += line(index);
  if (!socket.write(chunk)) await new Promise((resolve) => socket.once('drain', resolve));
}

function endStream(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    socket.once('close', () => resolve());
    socket.end();
  });
}

async function tableMessages(server: PrivateMariaDb): Promise<string[]> {
  return (await server.query<{ msg: string }>(`select msg from ${DATABASE}.logs order by seq`))
    .map((row) => row.msg);
}

async function tableCount(server: PrivateMariaDb): Promise<number> {
  const [row] = await server.query<{ count: number }>(
    `select count(*) as count from ${DATABASE}.logs`);
  return Number(row.count);
}

function archiveLines(root: string): number {
  let lines = 0;
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.log')) continue;
    const text = readFileSync(join(entry.parentPath, entry.name), 'utf8');
    lines += text.split('\n').filter((text) => text !== '').length;
  }
  return lines;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

t.test('a MariaDB SIGKILL halfway through 20,000 TCP messages, back 10 s later, loses and ' +
  'repeats no row', { skip: PRIVATE_MARIADB_SKIP }, async (t) => {
  const server = await PrivateMariaDb.create();
  t.teardown(() => server.destroy());
  await server.query(`create database ${DATABASE} character set utf8mb4`);
  const collector = await startCollector({ args: ['--db', server.url(DATABASE)] });
  t.teardown(collector.cleanup);
  const socket = await openStream(collector.tcpPort);

  for (let from = 0; from < 10_000; from += 1000) await writeLines(socket, from, from + 1000);
  await server.kill();
  const killedAt = Date.now();

  const samples: Array<Record<string, number>> = [];
  for (let from = 10_000; from < 20_000; from += 1000) {
    await writeLines(socket, from, from + 1000);
    await sleep(400);
    samples.push(await stats(collector));
  }
  const readiness = await fetchJson(collector.httpPort, '/readyz');
  t.same(samples.map((sample) => sample.sql_connected), Array(10).fill(0), 'sql_connected 0');
  const spooled = samples.map((sample) => sample.spool_records);
  t.ok(spooled[9] > spooled[0] && spooled[0] > 0, `the spool grows: ${spooled.join(', ')}`);
  t.equal(readiness.status, 200, 'still ready within the grace period');
  t.match(readiness.body, { ready: true, reasons: [],
    degraded: [/^sql unavailable \(.+\) for \d+ s$/] });

  await sleep(Math.max(0, 10_000 - (Date.now() - killedAt)));
  await server.start();
  await endStream(socket);
  await waitFor(async () => (await stats(collector)).spool_records === 0 &&
    (await tableCount(server)) >= 20_000, 60_000);
  t.equal(await collector.stop(), 0);

  t.same(await tableMessages(server), expectedMessages(20_000), 'each message once, in order');
  t.equal(archiveLines(join(collector.dir, 'archive')), 20_000, 'the archive has every line');
});

t.test('a collector SIGKILLed with a full spool replays it once after the restart, even ' +
  'when killed again mid-replay', { skip: PRIVATE_MARIADB_SKIP }, async (t) => {
  const server = await PrivateMariaDb.create();
  t.teardown(() => server.destroy());
  await server.query(`create database ${DATABASE} character set utf8mb4`);
  const dir = tempDir();
  t.teardown(() => removeDir(dir));
  await server.kill();

  const args = ['--db', server.url(DATABASE), '--batch-size', '100'];
  const down = await startCollector({ dir, args });
  t.teardown(down.cleanup);
  const socket = await openStream(down.tcpPort);
  for (let from = 0; from < 5000; from += 500) await writeLines(socket, from, from + 500);
  await endStream(socket);
  // Only spooled rows survive a SIGKILL: wait until all 5,000 are on disk.
  await waitFor(async () => (await stats(down)).spool_records === 5000);
  t.match(await stats(down), { received: 5000, stored_sql: 0, sql_connected: 0 });
  await down.stop('SIGKILL');

  await server.start();
  const replaying = await startCollector({ dir, args });
  t.teardown(replaying.cleanup);
  await waitFor(async () => (await tableCount(server)) >= 500, 30_000);
  await replaying.stop('SIGKILL');
  const beforeSecondKill = await tableCount(server);

  const after = await startCollector({ dir, args });
  t.teardown(after.cleanup);
  await waitFor(async () => (await stats(after)).spool_records === 0, 30_000);
  t.equal(await after.stop(), 0);
  t.same(await tableMessages(server), expectedMessages(5000),
    `each row once, in order (${beforeSecondKill} stored before the second SIGKILL)`);
});
