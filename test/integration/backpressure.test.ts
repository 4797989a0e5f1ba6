/**
 * The bounded queue's policy when full: datagrams are dropped and counted `queue_full`, stream
 * readers pause and lose nothing.
 */
import t from 'tap';
import { fetchJson, sendTcp, sendUdp, startCollector, waitFor } from '../helpers/collector.js';

/** A database that never answers keeps the SQL queue full. */
const UNREACHABLE_DB = 'mysql://root@127.0.0.1:1/logs';

t.test('datagrams beyond a full queue are dropped and counted queue_full', async (t) => {
  const collector = await startCollector({ args: ['--db', UNREACHABLE_DB, '--queue-size', '5'] });
  t.teardown(collector.cleanup);

  await sendUdp(collector.udpPort, Array.from({ length: 20 },
    (_, index) => `<13>Dec  3 19:20:00 host1 app: datagram ${index}`));
  await waitFor(async () => (await fetchJson(collector.httpPort, '/stats.json'))
    .body.received === 20);
  const stats = (await fetchJson(collector.httpPort, '/stats.json')).body;
  t.match(stats, { received: 20, dropped_queue_full: 15, stored_archive: 5, stored_sql: 0,
    queue_depth: 5, sql_connected: 0 });
});

t.test('a stream reader pauses on a full queue and resumes without loss', async (t) => {
  const collector = await startCollector({ args: ['--queue-size', '50'] });
  t.teardown(collector.cleanup);

  const lines = Array.from({ length: 20_000 },
    (_, index) => `<13>Dec  3 19:20:00 host1 app: line ${index}\n`).join('');
  await sendTcp(collector.tcpPort, [lines]);
  await waitFor(async () => (await fetchJson(collector.httpPort, '/stats.json'))
    .body.stored_sql === 20_000);
  t.match((await fetchJson(collector.httpPort, '/stats.json')).body,
    { received: 20_000, stored_sql: 20_000, stored_archive: 20_000, dropped_queue_full: 0 });
  t.equal(await collector.stop(), 0);
});

t.test('a second SIGTERM forces the stop and reports what was not stored', async (t) => {
  const collector = await startCollector({ args: ['--db', UNREACHABLE_DB] });
  t.teardown(collector.cleanup);

  await sendUdp(collector.udpPort, ['<13>Dec  3 19:20:00 host1 app: never stored']);
  await waitFor(async () => (await fetchJson(collector.httpPort, '/stats.json'))
    .body.stored_archive === 1);
  collector.process.kill('SIGTERM');
  await waitFor(() => collector.events.some((event) => event.msg === 'stopping'));
  collector.process.kill('SIGTERM');
  t.equal(await collector.exited, 1);
  t.match(collector.events.find((event) => event.msg.startsWith('stop forced')),
    { unsaved: { sql: 1, archive: 0 } });
});
