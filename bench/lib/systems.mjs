// The systems the runner measures, each started for one run of one scenario: logharbor as
// built (dist/), rsyslog and syslog-ng as private instances, and the raw Node receiver
// ceiling. start() resolves with an instance: { pid, port, outputs, stats(), stop() }, once
// it listens and its outputs are open. (The mysql2 insert ceiling sends no syslog at all; the
// runner runs it apart.)
//
// A scenario says what is written: `archive` ('file': one file, 'hosts': a file per host and
// day, null) and `sql` ('sqlite', 'mariadb', null). Peers have no SQLite output, so in SQLite
// scenarios they write the archive only, and the results say so.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { FileOutput, MariadbOutput, ReceiverOutput, SqliteOutput } from './outputs.mjs';
import { rsyslogConfig, syslogNgConfig } from './peer-configs.mjs';
import { startRsyslog, startSyslogNg } from './peers.mjs';
import { exited, freePort, stopProcess, waitForListeners } from './processes.mjs';

const CLI = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));
/**
 * How `npm start`, the `logharbor` command and contrib/logharbor.service run the collector,
 * plus LH_BENCH_NODE_FLAGS (say `--cpu-prof --cpu-prof-dir=/tmp/prof`) for profiling a run.
 */
const NODE_FLAGS = ['--max-semi-space-size=16', '--no-allocation-site-pretenuring',
  '--single-threaded',
  ...(process.env.LH_BENCH_NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== '')];
const NODE_RECV = fileURLToPath(new URL('./node-recv.mjs', import.meta.url));
const READY_ATTEMPTS = 300;
/** More hosts than this makes walking the archive slow enough to poll it less often. */
const MANY_FILES = 1000;

export const SYSTEMS = {
  logharbor: { start: startLogharbor, writes: (scenario) => writes(scenario, scenario.sql) },
  rsyslog: { start: startPeer('rsyslog'), writes: peerWrites },
  'syslog-ng': { start: startPeer('syslog-ng'), writes: peerWrites },
  node: { start: startReceiver, writes: () => 'count only' },
};

function writes(scenario, sql) {
  const archive = { file: 'one file', hosts: 'file per host' }[scenario.archive];
  return [archive, sql].filter(Boolean).join(' + ');
}

function peerWrites(scenario) {
  return writes(scenario, scenario.sql === 'mariadb' ? 'mariadb' : null);
}

async function startLogharbor(group, { dir, scenario, server, database, logharborArgs = [] }) {
  const port = await freePort(scenario.transport);
  const http = await freePort();
  const listen = scenario.transport === 'udp'
    ? ['--udp', `127.0.0.1:${port}`, '--tcp', 'none']
    : ['--udp', 'none', '--tcp', `127.0.0.1:${port}`];
  const child = group.spawn(process.execPath, [...NODE_FLAGS, CLI, 'run', ...listen,
    '--http', `127.0.0.1:${http}`, ...archiveArgs(dir, scenario),
    '--db', dbUrl(dir, scenario, server, database), '--spool', join(dir, 'spool'),
    '--instance', 'bench', '--timezone', 'UTC', '--log-level', 'warn',
    ...(scenario.logharborArgs ?? []), ...logharborArgs],
  { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, TZ: 'UTC' } });
  await waitForReady(child, http);
  const outputs = [...archiveOutputs(dir, scenario)];
  if (scenario.sql === 'sqlite') outputs.push(new SqliteOutput(join(dir, 'logs.sqlite')));
  if (scenario.sql === 'mariadb') outputs.push(new MariadbOutput(server, database));
  return instance(child, { port, outputs, stats: () => fetchJson(http, '/stats.json') });
}

function archiveArgs(dir, scenario) {
  if (scenario.archive === null) return ['--archive', 'none'];
  const layout = scenario.archive === 'file' ? ['--archive-path', 'all.log'] : [];
  return ['--archive', join(dir, 'out'), ...layout];
}

function dbUrl(dir, scenario, server, database) {
  if (scenario.sql === 'sqlite') return `sqlite:${join(dir, 'logs.sqlite')}`;
  return scenario.sql === 'mariadb' ? server.url(database) : 'none';
}

/** /readyz answers 200 once every listener is bound and every sink is open. */
async function waitForReady(child, http) {
  for (let attempt = 0; attempt < READY_ATTEMPTS && !exited(child); attempt += 1) {
    try {
      const response = await fetch(`http://127.0.0.1:${http}/readyz`);
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  throw new Error(`logharbor did not become ready (exit ${child.exitCode ?? 'none'})`);
}

async function fetchJson(http, path) {
  try {
    const response = await fetch(`http://127.0.0.1:${http}${path}`);
    return await response.json();
  } catch {
    return null;
  }
}

function startPeer(name) {
  return async (group, { dir, scenario, server, database, tools, messages }) => {
    const port = await freePort(scenario.transport);
    const outputs = [scenario.archive, scenario.sql === 'mariadb' ? 'sql' : null]
      .filter(Boolean);
    const db = scenario.sql === 'mariadb' ? server.credentials(database) : null;
    const ready = [{ transport: scenario.transport, port }];
    // An outage scenario gives each peer its own way of keeping what the database refuses.
    const durable = scenario.outage !== undefined;
    const child = name === 'rsyslog'
      ? await startRsyslog(group, { tools: tools.rsyslog, dir, ready,
        config: rsyslogConfig({ dir, listen: { [scenario.transport]: port }, outputs, db,
          messages, durable }) })
      : await startSyslogNg(group, { dir, ready,
        config: syslogNgConfig({ dir, listen: { [syslogNgListener(scenario)]: port }, outputs,
          db, durable }) });
    const watched = [...archiveOutputs(dir, scenario)];
    if (db !== null) watched.push(new MariadbOutput(server, database));
    return instance(child, { port, outputs: watched, stats: async () => null });
  };
}

/** network() reads UDP and LF-framed TCP; octet counting needs the syslog() source. */
function syslogNgListener(scenario) {
  if (scenario.transport === 'udp') return 'udp';
  return scenario.framing === 'octet' ? 'octet' : 'tcp';
}

function archiveOutputs(dir, scenario) {
  if (scenario.archive === null) return [];
  return [new FileOutput(join(dir, 'out'), { manyFiles: scenario.hosts > MANY_FILES })];
}

async function startReceiver(group, { scenario }) {
  const port = await freePort(scenario.transport);
  const child = group.spawn(process.execPath, [NODE_RECV, scenario.transport, String(port)],
    { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  await waitForListeners(child, [{ transport: scenario.transport, port }]);
  return instance(child, { port, outputs: [new ReceiverOutput(child)], stats: async () => null });
}

function instance(child, { port, outputs, stats }) {
  return {
    pid: child.pid,
    port,
    outputs,
    stats,
    /** Null while the process runs; else how it ended (`signal SIGSEGV`, `exit code 1`). */
    ended: () => (exited(child) ? (child.signalCode !== null ? `signal ${child.signalCode}`
      : `exit code ${child.exitCode}`) : null),
    async stop() {
      await Promise.all(outputs.map((output) => output.close?.()));
      await stopProcess(child);
    },
  };
}
