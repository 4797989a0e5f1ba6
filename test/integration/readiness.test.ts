/**
 * `/readyz` follows the database: 503 once MariaDB has been unreachable longer than
 * `--ready-grace`, 200 again when it is back, and the rows spooled meanwhile arrive. The server
 * is a private one (test/helpers/private-mariadb.ts), never the shared one on 3306.
 */
import t from 'tap';
import {
  fetchJson, sendUdp, startCollector, waitFor,
} from '../helpers/collector.js';
import { PRIVATE_MARIADB_SKIP, PrivateMariaDb } from '../helpers/private-mariadb.js';
import { scrapeMetrics } from '../helpers/prometheus.js';

const OUTAGE_REASON = /^sql unavailable \([^)]+\) for \d+ s$/;

/** A private server with the `test` database the collector writes into. */
async function createServer(): Promise<PrivateMariaDb> {
  const server = await PrivateMariaDb.create();
  await server.query('create database test character set utf8mb4');
  return server;
}

t.test('readyz turns 503 when MariaDB stops past --ready-grace and 200 when it returns',
  { skip: PRIVATE_MARIADB_SKIP }, async (t) => {
    const database = await createServer();
    t.teardown(() => database.destroy());
    const collector = await startCollector({ args: ['--db', database.url('test'),
      '--ready-grace', '1'] });
    t.teardown(collector.cleanup);

    t.same(await fetchJson(collector.httpPort, '/readyz'),
      { status: 200, body: { ready: true, reasons: [], degraded: [] } });

    await database.kill();
    await sendUdp(collector.udpPort, ['<14>Dec  3 19:20:00 host1 app: during the outage']);
    await waitFor(async () => (await fetchJson(collector.httpPort, '/readyz')).status === 503,
      60_000);
    const notReady = await fetchJson(collector.httpPort, '/readyz');
    t.equal(notReady.body.ready, false);
    t.match(notReady.body.reasons, [OUTAGE_REASON]);
    t.equal((notReady.body.reasons as string[]).length, 1);

    const outage = await scrapeMetrics(collector.httpPort);
    t.equal(outage.samples.get('logharbor_ready'), 0);
    t.equal(outage.samples.get('logharbor_sql_connected'), 0);
    t.ok((outage.samples.get('logharbor_sink_retries_total{sink="sql"}') ?? 0) >= 1,
      'the failed commit counts as a retry');
    // The failed commit left the row with an `$attempt` marker in front of it in the spool.
    t.match((await fetchJson(collector.httpPort, '/stats.json')).body,
      { stored_sql: 0, stored_archive: 1, spool_records: 2, sql_connected: 0 });

    await database.start();
    await waitFor(async () => (await fetchJson(collector.httpPort, '/readyz')).status === 200,
      90_000);
    t.same(await fetchJson(collector.httpPort, '/readyz'),
      { status: 200, body: { ready: true, reasons: [], degraded: [] } });
    await waitFor(async () => (await fetchJson(collector.httpPort, '/stats.json'))
      .body.stored_sql === 1);
    t.same(await database.query('select host, msg from test.logs'),
      [{ host: 'host1', msg: 'during the outage' }]);
    const stats = (await fetchJson(collector.httpPort, '/stats.json')).body;
    t.match(stats, { sql_connected: 1, spool_records: 0, spool_bytes: 0,
      spool_oldest_age_seconds: 0 });
    t.equal(await collector.stop(), 0);
  });

t.test('a database unreachable from the start is ready within the grace, then not',
  { skip: PRIVATE_MARIADB_SKIP }, async (t) => {
    const database = await createServer();
    t.teardown(() => database.destroy());
    await database.kill();
    const collector = await startCollector({ args: ['--db', database.url('test'),
      '--ready-grace', '3600'] });
    t.teardown(collector.cleanup);

    const inGrace = await fetchJson(collector.httpPort, '/readyz');
    t.equal(inGrace.status, 200, 'spooling inside the grace');
    t.same(inGrace.body.reasons, []);
    t.match(inGrace.body.degraded, [OUTAGE_REASON], 'the outage is listed as degraded');
    t.equal((await fetchJson(collector.httpPort, '/stats.json')).body.sql_connected, 0);
    t.equal(await collector.stop(), 0);

    const strict = await startCollector({ args: ['--db', database.url('test'),
      '--ready-grace', '0'] });
    t.teardown(strict.cleanup);
    const readiness = await fetchJson(strict.httpPort, '/readyz');
    t.equal(readiness.status, 503, 'no grace: not ready at once');
    t.match(readiness.body.reasons, [OUTAGE_REASON]);
    t.equal(await strict.stop(), 0);
  });
