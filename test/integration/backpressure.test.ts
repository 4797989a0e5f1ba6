/**
 * What happens when the database cannot take rows: they go to the disk spool, datagrams
 * beyond a full spool are dropped and counted `spool_full`, stream readers pause and lose
 * nothing, and a stop spools what memory holds for the next start to replay.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import {
  fetchJson, sendTcp, sendUdp, sqliteRows, startCollector, tempDir, removeDir, waitFor,
} from '../helpers/collector.js';

/** A database that can never be opened: its directory would sit under a device file. */
const UNREACHABLE_DB = 'sqlite:/dev/null/logharbor-test-nowhere/logs.sqlite';

async function stats(port: number): Promise<Record<string, unknown>> {
  return (await fetchJson(port, '/stats.json')).body;
}

t.test('datagrams beyond a full spool are dropped and counted spool_full', async (t) => {
  const collector = await startCollector({ args: ['--db', UNREACHABLE_DB, '--queue-size', '5',
    '--spool-max', '2KB'] });
  t.teardown(collector.cleanup);

  // One datagram at a time, each sent once the one before was counted (parsed and queued, or
  // dropped), so the archive keeps up and only the spool's cap bites.
  for (let index = 0; index < 40; index += 1) {
    await sendUdp(collector.udpPort, [`<13>Dec  3 19:20:00 host1 app: datagram ${index}`]);
    await waitFor(async () => (await stats(collector.httpPort)).received === index + 1);
  }
  const counters = await stats(collector.httpPort);
  // A row takes about 316 bytes in the spool: 2 KB holds five or six (six when a tick spilled
  // a single row between two spills of five); five more wait in memory (--queue-size 5), and
  // every later datagram meets a full spool.
  const spooled = Number(counters.spool_records);
  t.match(counters, { received: 40, stored_sql: 0, sql_connected: 0, queue_depth: 5,
    stored_archive: spooled + 5, dropped_spool_full: 40 - spooled - 5, dropped_queue_full: 0 });
  t.ok(spooled === 5 || spooled === 6, `the spool holds five or six rows (${spooled})`);
  t.ok(Number(counters.spool_bytes) <= 2048, 'the spool stays under --spool-max');
});

t.test('a stream reader pauses on a full queue and resumes without loss', async (t) => {
  const collector = await startCollector({ args: ['--queue-size', '50'] });
  t.teardown(collector.cleanup);

  const lines = Array.from({ length: 20_000 },
    (_, index) => `<13>Dec  3 19:20:00 host1 app: line ${index}\n`).join('');
  await sendTcp(collector.tcpPort, [lines]);
  await waitFor(async () => (await stats(collector.httpPort)).stored_sql === 20_000);
  t.match(await stats(collector.httpPort),
    { received: 20_000, stored_sql: 20_000, stored_archive: 20_000, dropped_queue_full: 0 });
  t.equal(await collector.stop(), 0);
  t.same(sqliteRows(join(collector.dir, 'logs.sqlite')).map((row) => row.msg),
    Array.from({ length: 20_000 }, (_, index) => `line ${index}`), 'in order');
});

t.test('a stop with the database down spools the rows and the next start replays them',
  async (t) => {
    const dir = tempDir();
    t.teardown(() => removeDir(dir));
    const spool = join(dir, 'spool');

    const down = await startCollector({ dir, args: ['--db', UNREACHABLE_DB] });
    t.teardown(down.cleanup);
    await sendTcp(down.tcpPort, ['<13>Dec  3 19:20:00 host1 app: first\n',
      '<13>Dec  3 19:20:01 host1 app: second\n']);
    await waitFor(async () => (await stats(down.httpPort)).stored_archive === 2);
    t.equal(await down.stop(), 0, 'the stop completes into the spool');
    t.equal(readdirSync(spool).filter((name) => name.endsWith('.spool')).length, 1);

    const up = await startCollector({ dir });
    t.teardown(up.cleanup);
    await waitFor(async () => (await stats(up.httpPort)).stored_sql === 2);
    t.match(await stats(up.httpPort), { spool_records: 0, spool_bytes: 0, sql_connected: 1 });
    t.equal(await up.stop(), 0);
    t.same(sqliteRows(join(dir, 'logs.sqlite')).map((row) => row.msg), ['first', 'second']);
    t.same(readdirSync(spool).filter((name) => name.endsWith('.spool')), [], 'spool emptied');
  });
