/**
 * SqlRunner over real MariaDB and PostgreSQL servers: a connection cut at COMMIT (by a proxy
 * on loopback) neither loses nor repeats a batch, and rows the server refuses in strict mode
 * go to the dead-letter file while their neighbours are stored.
 */
import t, { type Test } from 'tap';
import { removeDir, tempDir, waitFor } from '../helpers/collector.js';
import { startCommitCutter } from '../helpers/mysql-commit-cutter.js';
import { createTestDatabase, MYSQL_SKIP, type TestDatabase } from '../helpers/mysql.js';
import { createPgDatabase, PG_SKIP } from '../helpers/postgres.js';
import {
  deadLetters, logRecord, settle, startRunner, texts, type Harness, type HarnessOptions,
} from '../helpers/sql-runner-harness.js';

async function runner(t: Test, options: Omit<HarnessOptions, 'dir'>): Promise<Harness> {
  const dir = tempDir();
  t.teardown(() => removeDir(dir));
  return startRunner({ ...options, dir });
}


async function mysqlMessages(database: TestDatabase): Promise<string[]> {
  return (await database.query<{ msg: string }>('select msg from logs order by seq'))
    .map((row) => row.msg);
}

/** The test database's URL, reached through `port` on loopback instead. */
function throughPort(url: string, port: number): string {
  const proxied = new URL(url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(port);
  return proxied.href;
}

/** A fresh test database behind a COMMIT-cutting proxy, and the URL that goes through it. */
async function cutDatabase(t: Test): Promise<{ database: TestDatabase;
  cutter: Awaited<ReturnType<typeof startCommitCutter>>; url: string }> {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const server = new URL(database.url);
  const cutter = await startCommitCutter({ host: server.hostname,
    port: Number(server.port || 3306) });
  t.teardown(() => cutter.close());
  return { database, cutter, url: throughPort(database.url, cutter.port) };
}

t.test('MariaDB: connections cut at COMMIT, after and before it committed, lose and ' +
  'repeat nothing', { skip: MYSQL_SKIP }, async (t) => {
  const { database, cutter, url } = await cutDatabase(t);
  const harness = await runner(t, { db: url, batchSize: 100 });
  cutter.armed.push('after', 'before', 'after');
  for (let part = 0; part < 5; part += 1) {
    harness.enqueue(texts(100, `part ${part}`));
    await waitFor(() => harness.runner.depth === 0 && harness.runner.connected);
  }
  await settle(harness);

  t.equal(cutter.cuts, 3, 'every armed cut happened');
  const expected = Array.from({ length: 5 }, (_, part) => texts(100, `part ${part}`)).flat();
  t.same(await mysqlMessages(database), expected, 'each row once, in order');
  // Regression: rows skipped as committed went uncounted when the checkpoint-only commit
  // that moves replay past them was itself cut.
  t.equal(harness.stats.storedSql, 500, 'stored_sql counts every row once');
  const [checkpoint] = await database.query<{ instance: string }>(
    'select instance from logharbor_checkpoint');
  t.equal(checkpoint.instance, 'test');
});

t.test('MariaDB: a connection cut at COMMIT during spool replay repeats nothing',
  { skip: MYSQL_SKIP }, async (t) => {
    const { database, cutter, url } = await cutDatabase(t);
    const harness = await runner(t, { db: url, batchSize: 100, down: true });
    harness.enqueue(texts(450));
    await waitFor(() => harness.runner.gauges().spool_records >= 450);
    cutter.armed.push('after', 'after', 'before');
    harness.sink.down = false;
    await settle(harness);

    t.equal(cutter.cuts, 3);
    t.same(await mysqlMessages(database), texts(450));
    t.equal(harness.stats.storedSql, 450);
  });

t.test('MariaDB strict mode: rows refused with 1406, 1366 and 1292 are dead-lettered, ' +
  'their neighbours stored', { skip: MYSQL_SKIP }, async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const first = await runner(t, { db: database.url });
  await first.stop();
  // Narrower columns than the contract's, so that a mapped row can really be refused.
  await database.query('alter table logs modify program varchar(8) null, ' +
    'modify msg mediumtext character set latin1 not null, ' +
    'modify datetime timestamp not null default current_timestamp');

  const harness = await runner(t, { db: database.url, batchSize: 6 });
  harness.enqueue(['ok 0', logRecord('too long', { appName: 'a-long-program' }), 'ok 2',
    logRecord('emoji 😀'), logRecord('far future', { timestamp: new Date('2045-01-01') }),
    'ok 5']);
  await settle(harness);

  t.same(await mysqlMessages(database), ['ok 0', 'ok 2', 'ok 5']);
  t.same(deadLetters(harness.deadLetterPath).map((entry) => [entry.row.msg, entry.error.code]),
    [['too long', 'ER_DATA_TOO_LONG'], ['emoji 😀', 'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD'],
      ['far future', 'ER_TRUNCATED_WRONG_VALUE']]);
  t.match(deadLetters(harness.deadLetterPath)[0].error.message,
    /^Data too long for column 'program'/);
  t.same([harness.stats.storedSql, harness.stats.deadLetters], [3, 3]);
});

t.test('PostgreSQL: a row refused with 22001 is dead-lettered, its neighbours stored',
  { skip: PG_SKIP }, async (t) => {
    const database = await createPgDatabase();
    t.teardown(() => database.drop());
    const first = await runner(t, { db: database.url });
    await first.stop();
    await database.query('alter table logs alter column program type varchar(8)');

    const harness = await runner(t, { db: database.url, batchSize: 4 });
    harness.enqueue(['ok 0', logRecord('too long', { appName: 'a-long-program' }), 'ok 2',
      'ok 3']);
    await settle(harness);

    const rows = await database.query<{ msg: string }>('select msg from logs order by seq');
    t.same(rows.map((row) => row.msg), ['ok 0', 'ok 2', 'ok 3']);
    t.same(deadLetters(harness.deadLetterPath).map((entry) => [entry.row.msg,
      entry.error.code, entry.error.message]), [['too long', '22001',
      'value too long for type character varying(8)']]);
  });
