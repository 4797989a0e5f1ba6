/**
 * The command line as a user meets it: exit codes, one-line errors that say how to fix
 * them, check-config, migrate, and the HTTP endpoints of a running collector.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import {
  CLI, fetchJson, removeDir, runCli, startCollector, tempDir,
} from '../helpers/collector.js';

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}

t.test('an invalid value exits 2 with one line naming the option and the value', async (t) => {
  const result = await runCli(['run', '--queue-size', 'abc']);
  t.equal(result.code, 2);
  t.same(lines(result.stderr), ['logharbor: Invalid --queue-size "abc": expected a whole ' +
    'number from 1 to 10000000']);
});

t.test('an unknown flag exits 2', async (t) => {
  const result = await runCli(['run', '--bogus', '1']);
  t.equal(result.code, 2);
  t.same(lines(result.stderr), ['logharbor: Unknown argument: bogus (see logharbor --help)']);
});

t.test('an unknown LOGHARBOR_ variable exits 2', async (t) => {
  const result = await runCli(['check-config'], { LOGHARBOR_UDP_PORT: '514' });
  t.equal(result.code, 2);
  t.match(result.stderr, /^logharbor: Unknown environment variable LOGHARBOR_UDP_PORT: /);
});

t.test('check-config prints the effective configuration with secrets masked', async (t) => {
  const dir = tempDir();
  t.teardown(() => removeDir(dir));
  const file = join(dir, 'logharbor.json');
  writeFileSync(file, JSON.stringify({ 'queue-size': 5000, 'host-from': 'source',
    udp: ['127.0.0.1:7000'] }));

  const result = await runCli(['check-config', '--config', file, '--queue-size', '7000'], {
    LOGHARBOR_UDP: '127.0.0.1:5514,[::1]:5514',
    LOGHARBOR_DB: 'mysql://logger@db.example:3306/syslog',
    LOGHARBOR_DB_PASSWORD: 's3cret',
    LOGHARBOR_TIMEZONE: 'Europe/Paris',
  });
  t.equal(result.code, 0, result.stderr);
  t.notMatch(result.stdout, /s3cret/);
  t.match(JSON.parse(result.stdout), {
    udp: ['127.0.0.1:5514', '[::1]:5514'],
    tcp: ['0.0.0.0:514'],
    db: 'mysql://logger@db.example:3306/syslog',
    'db-password': '***',
    'queue-size': '7000',
    'host-from': 'source',
    timezone: 'Europe/Paris',
  });
});

t.test('a password given both in the URL and in the environment exits 2 unprinted',
  async (t) => {
    const result = await runCli(['check-config', '--db', 'mysql://logger:s3cret@db/syslog'],
      { LOGHARBOR_DB_PASSWORD: 'other-secret' });
    t.equal(result.code, 2);
    t.same(lines(result.stderr), ['logharbor: The database password is given more than once ' +
      '(URL, --db-password-file, LOGHARBOR_DB_PASSWORD): give it one way']);
    t.notMatch(result.stdout + result.stderr, /s3cret|other-secret/);
  });

t.test('a password file others may read is refused', async (t) => {
  const dir = tempDir();
  t.teardown(() => removeDir(dir));
  const file = join(dir, 'password');
  writeFileSync(file, 's3cret\n', { mode: 0o644 });

  const result = await runCli(['check-config', '--db', 'mysql://logger@db/syslog',
    '--db-password-file', file]);
  t.equal(result.code, 2);
  t.same(lines(result.stderr), [`logharbor: Invalid --db-password-file ${file}: others may ` +
    `read it (mode 644); run chmod 600 ${file}`]);
});

t.test('a port already in use exits 2 and names the cause', async (t) => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.teardown(() => blocker.close());
  const port = (blocker.address() as { port: number }).port;

  const result = await runCli(['run', '--udp', 'none', '--tcp', `127.0.0.1:${port}`,
    '--http', 'none', '--db', 'none', '--archive', 'none']);
  t.equal(result.code, 2);
  t.match(lines(result.stderr), [`logharbor: Cannot listen on 127.0.0.1:${port} (tcp): ` +
    'address already in use (another syslog daemon such as rsyslog may hold it: stop it or ' +
    'choose another port)']);
});

const canDropPrivileges = process.getuid?.() === 0 && (() => {
  try {
    execFileSync('setpriv', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

t.test('port 514 without permission exits 2 and names the fixes',
  { skip: canDropPrivileges ? false : 'needs root and setpriv to run as an unprivileged user' },
  async (t) => {
    let stderr = '';
    let code = 0;
    try {
      // `env -i`: tap's process tracking would otherwise follow the child, as a user who may
      // not write its files.
      execFileSync('env', ['-i', `PATH=${process.env.PATH}`, 'setpriv', '--reuid=65534',
        '--regid=65534', '--clear-groups',
        process.execPath, CLI, 'run', '--udp', '127.0.0.1:514', '--tcp', 'none',
        '--http', 'none', '--db', 'none', '--archive', 'none'], { stdio: 'pipe' });
    } catch (error) {
      const failure = error as { status: number; stderr: Buffer };
      code = failure.status;
      stderr = failure.stderr.toString();
    }
    t.equal(code, 2);
    t.same(lines(stderr), ['logharbor: Cannot listen on 127.0.0.1:514 (udp): permission ' +
      'denied (ports below 1024 need root or CAP_NET_BIND_SERVICE: run as root, run ' +
      '`setcap cap_net_bind_service=+ep $(command -v node)`, or choose a port above 1023 ' +
      'such as 127.0.0.1:5514)']);
  });

t.test('migrate creates the SQLite schema once and --migrate never refuses an empty one',
  async (t) => {
    const dir = tempDir();
    t.teardown(() => removeDir(dir));

    const never = await runCli(['run', '--udp', 'none', '--tcp', 'none', '--http', 'none',
      '--archive', 'none', '--db', `sqlite:${join(dir, 'never.sqlite')}`, '--migrate', 'never']);
    t.equal(never.code, 2);
    t.match(never.stderr, 'The database schema is missing or out of date (pending ' +
      'migrations: 20261203000000_create_logs, 20261203000001_create_checkpoint); run ' +
      '`logharbor migrate --db ...` or start with --migrate auto');

    const db = `sqlite:${join(dir, 'logs.sqlite')}`;
    const first = await runCli(['migrate', '--db', db]);
    t.same([first.code, first.stdout], [0, 'Applied migrations: ' +
      '20261203000000_create_logs, 20261203000001_create_checkpoint\n']);
    const second = await runCli(['migrate', '--db', db]);
    t.same([second.code, second.stdout], [0, 'Schema already up to date\n']);
  });

t.test('migrate exits 2 when the database cannot be reached', async (t) => {
  const result = await runCli(['migrate', '--db', 'mysql://root@127.0.0.1:1/logs']);
  t.equal(result.code, 2);
  t.match(result.stderr,
    /^logharbor: Cannot migrate mysql:\/\/root@127\.0\.0\.1:1\/logs: ECONNREFUSED/);
});

t.test('healthz, readyz and stats.json answer on --http', async (t) => {
  const collector = await startCollector();
  t.teardown(collector.cleanup);

  t.same(await fetchJson(collector.httpPort, '/healthz'), { status: 200, body: { ok: true } });
  t.same(await fetchJson(collector.httpPort, '/readyz'),
    { status: 200, body: { ready: true, reasons: [], degraded: [] } });
  const stats = await fetchJson(collector.httpPort, '/stats.json');
  t.equal(stats.status, 200);
  t.match(stats.body, { received: 0, received_udp: 0, received_tcp: 0, received_tls: 0,
    parsed_rfc5424: 0, parsed_unparsed: 0, stored_sql: 0, stored_archive: 0,
    dropped_empty: 0, dropped_queue_full: 0, dropped_udp_buffer: 0, truncated: 0,
    queue_depth: 0, spool_bytes: 0, sql_connected: 1, dead_letters: 0, sql_retries: 0 });
  t.equal(typeof stats.body.uptime_seconds, 'number');
  t.equal((await fetchJson(collector.httpPort, '/nope')).status, 404);
  t.equal(await collector.stop(), 0);
});
