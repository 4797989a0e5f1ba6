/**
 * MariaDB start-up checks: with `--migrate never` a missing, outdated or newer schema stops
 * the collector with a clear line; a password reaches the server from the URL, from
 * `--db-password-file` or from LOGHARBOR_DB_PASSWORD, and never reaches the log.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import {
  fetchJson, removeDir, runCli, sendTcp, startCollector, tempDir, waitFor, type Collector,
} from '../helpers/collector.js';
import { createTestDatabase, MYSQL_SKIP, type TestDatabase } from '../helpers/mysql.js';

const QUIET = ['--udp', 'none', '--tcp', 'none', '--http', 'none', '--archive', 'none'];

function neverRun(db: string, dir: string): ReturnType<typeof runCli> {
  return runCli(['run', ...QUIET, '--spool', join(dir, 'spool'), '--db', db,
    '--migrate', 'never']);
}

t.test('--migrate never names what is wrong with a missing, outdated or newer MariaDB schema',
  { skip: MYSQL_SKIP }, async (t) => {
    const database = await createTestDatabase();
    t.teardown(() => database.drop());
    const dir = tempDir();
    t.teardown(() => removeDir(dir));

    const missing = await neverRun(database.url, dir);
    t.same([missing.code, missing.stderr], [2, 'logharbor: The database schema is missing ' +
      'or out of date (pending migrations: 20261203000000_create_logs, ' +
      '20261203000001_create_checkpoint); run `logharbor migrate --db ...` or start with ' +
      '--migrate auto\n']);

    t.equal((await runCli(['migrate', '--db', database.url])).code, 0);
    await database.query('drop table logharbor_checkpoint');
    await database.query('delete from knex_migrations where name = ?',
      ['20261203000001_create_checkpoint']);
    const outdated = await neverRun(database.url, dir);
    t.same([outdated.code, outdated.stderr], [2, 'logharbor: The database schema is missing ' +
      'or out of date (pending migrations: 20261203000001_create_checkpoint); run ' +
      '`logharbor migrate --db ...` or start with --migrate auto\n']);

    t.equal((await runCli(['migrate', '--db', database.url])).code, 0);
    await database.query('insert into knex_migrations (name, batch, migration_time) ' +
      'values (?, 3, now())', ['20991231000000_from_the_future']);
    const newer = await neverRun(database.url, dir);
    t.same([newer.code, newer.stderr], [2, 'logharbor: The database schema is newer than ' +
      'this logharbor (unknown migrations: 20991231000000_from_the_future); upgrade ' +
      'logharbor\n']);
  });

interface Account {
  user: string;
  password: string;
  /** The test database's URL for this user, without a password. */
  url: string;
}

/** A MariaDB user with a password and every right on the test database, dropped afterwards. */
async function createAccount(t: Test, database: TestDatabase): Promise<Account> {
  const user = `lh_${randomBytes(4).toString('hex')}`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const name = new URL(database.url).pathname.slice(1);
  await database.query(`create user '${user}'@'%' identified by '${password}'`);
  await database.query(`grant all privileges on \`${name}\`.* to '${user}'@'%'`);
  t.teardown(() => database.query(`drop user '${user}'@'%'`));
  const url = new URL(database.url);
  url.username = user;
  url.password = '';
  return { user, password, url: url.href };
}

async function storesOneRow(t: Test, collector: Collector, text: string): Promise<void> {
  await sendTcp(collector.tcpPort, [`<13>Dec  3 19:20:00 host1 app: ${text}\n`]);
  await waitFor(async () => (await fetchJson(collector.httpPort, '/stats.json'))
    .body.stored_sql === 1);
  t.equal(await collector.stop(), 0);
}

t.test('a MariaDB password from the URL, a password file or LOGHARBOR_DB_PASSWORD logs in ' +
  'and is never logged', { skip: MYSQL_SKIP }, async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const account = await createAccount(t, database);
  const dir = tempDir();
  t.teardown(() => removeDir(dir));
  const passwordFile = join(dir, 'db-password');
  writeFileSync(passwordFile, `${account.password}\n`, { mode: 0o600 });
  const withPassword = new URL(account.url);
  withPassword.password = account.password;

  const ways: Array<[string, { args: string[]; env?: NodeJS.ProcessEnv }]> = [
    ['url', { args: ['--db', withPassword.href] }],
    ['file', { args: ['--db', account.url, '--db-password-file', passwordFile] }],
    ['env', { args: ['--db', account.url], env: { LOGHARBOR_DB_PASSWORD: account.password } }],
  ];
  for (const [way, options] of ways) {
    const collector = await startCollector(options);
    t.teardown(collector.cleanup);
    await storesOneRow(t, collector, `password from ${way}`);
    t.notOk(JSON.stringify(collector.events).includes(account.password),
      `the password from ${way} is not in the log`);
  }
  const rows = await database.query<{ msg: string }>('select msg from logs order by seq');
  t.same(rows.map((row) => row.msg), ['password from url', 'password from file',
    'password from env']);
});

t.test('a wrong MariaDB password spools the rows and the log names the error, not the password',
  { skip: MYSQL_SKIP }, async (t) => {
    const database = await createTestDatabase();
    t.teardown(() => database.drop());
    const account = await createAccount(t, database);
    const wrong = `${account.password}-wrong`;

    const collector = await startCollector({ args: ['--db', account.url],
      env: { LOGHARBOR_DB_PASSWORD: wrong } });
    t.teardown(collector.cleanup);
    await sendTcp(collector.tcpPort, ['<13>Dec  3 19:20:00 host1 app: waits\n']);
    await waitFor(async () => (await fetchJson(collector.httpPort, '/stats.json'))
      .body.spool_records === 1);
    t.equal(await collector.stop(), 0);
    const retry = collector.events.find((event) => event.msg === 'sql unavailable, retrying');
    t.match(retry, { code: 'ER_ACCESS_DENIED_ERROR', err_message: /Access denied for user/ });
    t.notOk(JSON.stringify(collector.events).includes(account.password), 'no password logged');
  });
