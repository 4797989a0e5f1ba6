/**
 * `--user`/`--group`: started as root, the collector binds a port below 1024, becomes nobody,
 * and every file it then creates belongs to nobody.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import {
  fetchJson, removeDir, runCli, sendUdp, startCollector, tempDir, waitFor,
} from '../helpers/collector.js';

const NOBODY = 65534;
const asRoot = process.getuid?.() === 0 ? false : 'needs root: the collector drops from root';

/** A free TCP port below 1024, so the test shows binding as root before the drop. */
async function privilegedPort(): Promise<number> {
  for (let port = 900; port < 1024; port += 1) {
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port from 900 to 1023');
}

t.test('the collector runs as nobody after binding and its files belong to nobody',
  { skip: asRoot }, async (t) => {
    const parent = tempDir();
    t.teardown(() => removeDir(parent));
    chmodSync(parent, 0o755);
    const dir = join(parent, 'data');
    mkdirSync(dir);
    chownSync(dir, NOBODY, NOBODY);
    const port = await privilegedPort();

    const collector = await startCollector({ dir, untracked: true,
      args: ['--tcp', `127.0.0.1:${port}`, '--user', 'nobody', '--group', 'nogroup'] });
    t.teardown(collector.cleanup);
    await sendUdp(collector.udpPort, ['<13>Dec  3 19:00:00 web1 app: as nobody']);
    await waitFor(async () => (await fetchJson(collector.httpPort, '/stats.json'))
      .body.stored_sql === 1);

    const pid = String(collector.process.pid);
    t.equal(execFileSync('ps', ['-o', 'user=', '-p', pid], { encoding: 'utf8' }).trim(),
      'nobody');
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    t.match(status, /^Uid:\s+65534\s+65534\s+65534\s+65534$/m, 'real, effective, saved uid');
    t.match(status, /^Gid:\s+65534\s+65534\s+65534\s+65534$/m);
    t.match(status, /^Groups:\s+65534\s*$/m, 'root\'s supplementary groups are gone');
    t.match(collector.events.find((event) => event.msg === 'privileges dropped'),
      { user: 'nobody', group: 'nogroup', uid: NOBODY, gid: NOBODY });
    t.equal(await collector.stop(), 0, JSON.stringify(collector.events.slice(-3)));

    const today = new Date().toISOString().slice(0, 10);
    for (const path of ['logs.sqlite', 'archive', 'archive/web1', `archive/web1/${today}.log`,
      'spool']) {
      const stat = statSync(join(dir, path));
      t.strictSame([stat.uid, stat.gid], [NOBODY, NOBODY], `${path} belongs to nobody`);
    }
  });

t.test('an unknown --user exits 2 and says how to fix it', async (t) => {
  const result = await runCli(['run', '--udp', 'none', '--tcp', '127.0.0.1:0',
    '--http', 'none', '--db', 'none', '--archive', 'none', '--user', 'lh-no-such-user']);
  t.equal(result.code, 2);
  t.equal(result.stderr, 'logharbor: Invalid --user "lh-no-such-user": no such user on this ' +
    'machine (create it, e.g. useradd --system --no-create-home lh-no-such-user, or name ' +
    'another)\n');
});

t.test('an unknown --group exits 2 and says how to fix it', async (t) => {
  const result = await runCli(['run', '--udp', 'none', '--tcp', '127.0.0.1:0',
    '--http', 'none', '--db', 'none', '--archive', 'none', '--group', 'lh-no-such-group']);
  t.equal(result.code, 2);
  t.equal(result.stderr, 'logharbor: Invalid --group "lh-no-such-group": no such group on ' +
    'this machine (create it, e.g. groupadd --system lh-no-such-group, or name another)\n');
});
