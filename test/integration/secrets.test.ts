/**
 * The database password never leaves the collector: every output a user or another local
 * user can see (log, stderr, check-config, /stats.json, /readyz, the process list) is searched
 * for it, with the password given in each of the three ways.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import {
  fetchJson, removeDir, runCli, startCollector, tempDir, waitFor,
} from '../helpers/collector.js';
import { MYSQL_SKIP, MYSQL_URL } from '../helpers/mysql.js';

const PASSWORD = 'Pw-Sentinel-7f3a9';
/** Nothing listens on port 1: the collector logs connection errors and spools. */
const CLOSED = 'mysql://logger@127.0.0.1:1/syslog';

/**
 * Starts with `args`/`env`, waits until the log shows the database error (`logged`), and
 * collects every output.
 */
async function outputsOfRun(t: Test, options: { args: string[]; env?: NodeJS.ProcessEnv;
  logged: RegExp }): Promise<string> {
  const collector = await startCollector({ args: options.args, env: options.env });
  t.teardown(collector.cleanup);
  await waitFor(() => options.logged.test(JSON.stringify(collector.events)));
  const processList = execFileSync('ps', ['-o', 'args=', '-p', String(collector.process.pid)],
    { encoding: 'utf8' });
  const stats = JSON.stringify((await fetchJson(collector.httpPort, '/stats.json')).body);
  const readiness = JSON.stringify((await fetchJson(collector.httpPort, '/readyz')).body);
  t.equal(await collector.stop(), 0);
  return [processList, stats, readiness, JSON.stringify(collector.events)].join('\n');
}

t.test('a password in LOGHARBOR_DB_PASSWORD appears in no output', async (t) => {
  const env = { LOGHARBOR_DB_PASSWORD: PASSWORD };
  const outputs = await outputsOfRun(t, { args: ['--db', CLOSED], env, logged: /ECONNREFUSED/ });
  const check = await runCli(['check-config', '--db', CLOSED], env);
  const migrate = await runCli(['migrate', '--db', CLOSED], env);
  t.equal(check.code, 0);
  t.equal(migrate.code, 2);
  t.match(JSON.parse(check.stdout), { 'db-password': '***' });
  t.match(outputs, /^\S*node \S+cli\.js run /, 'nothing to mask: the process keeps its title');
  t.notMatch([outputs, check.stdout, check.stderr, migrate.stdout, migrate.stderr].join('\n'),
    PASSWORD);
});

t.test('a password in the --db URL appears in no output, not even in ps', async (t) => {
  const url = `mysql://logger:${PASSWORD}@127.0.0.1:1/syslog`;
  const outputs = await outputsOfRun(t, { args: ['--db', url], logged: /ECONNREFUSED/ });
  const check = await runCli(['check-config', '--db', url]);
  const invalid = await runCli(['check-config', '--db', `mysql://logger:${PASSWORD}@/syslog`]);
  t.equal(invalid.code, 2);
  t.match(outputs, /^logharbor run /, 'the process title is replaced');
  t.match(outputs, 'mysql://logger:***@127.0.0.1:1/syslog', 'ps shows the URL masked');
  t.notMatch([outputs, check.stdout, check.stderr, invalid.stderr].join('\n'), PASSWORD);
});

t.test('a password file is read, and refused unprinted when others may read it',
  async (t) => {
    const dir = tempDir();
    t.teardown(() => removeDir(dir));
    const file = join(dir, 'password');
    writeFileSync(file, `${PASSWORD}\n`, { mode: 0o600 });

    const outputs = await outputsOfRun(t, { args: ['--db', CLOSED,
      '--db-password-file', file], logged: /ECONNREFUSED/ });
    writeFileSync(join(dir, 'open'), `${PASSWORD}\n`, { mode: 0o644 });
    const refused = await runCli(['check-config', '--db', CLOSED, '--db-password-file',
      join(dir, 'open')]);
    t.equal(refused.code, 2);
    t.notMatch([outputs, refused.stdout, refused.stderr].join('\n'), PASSWORD);
  });

t.test('a wrong password rejected by MariaDB appears in no output', { skip: MYSQL_SKIP },
  async (t) => {
    const server = new URL(MYSQL_URL as string);
    const url = `mysql://lh_no_such_login@${server.host}${server.pathname}`;
    const env = { LOGHARBOR_DB_PASSWORD: PASSWORD };
    const outputs = await outputsOfRun(t, { args: ['--db', url], env,
      logged: /Access denied/ });
    const migrate = await runCli(['migrate', '--db', url], env);
    t.equal(migrate.code, 2);
    t.match(migrate.stderr, /Access denied|ER_ACCESS_DENIED/, 'the server refused the login');
    t.notMatch([outputs, migrate.stdout, migrate.stderr].join('\n'), PASSWORD);
  });
