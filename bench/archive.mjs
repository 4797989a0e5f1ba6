// Archive benchmark (issue #5): MESSAGES RFC 3164 lines from HOSTS hosts over CONNECTIONS TCP
// connections into per-host daily files, by logharbor (`run --db none`, the default
// `{host}/{date}.log` layout) and by rsyslog 8 (imtcp, omfile with a dynaFile per host and day,
// dynaFileCacheSize 100), in the same run, rounds interleaved so drift of this shared machine
// hits both alike. Run with `npm run bench:archive` (it builds first).
//
// The clock runs from the first byte sent until the last line is on disk: the files are
// polled until their total size has not changed for SETTLE_MS and is at least what was sent,
// and the end is the newest file's modification time, so the settling wait is not counted.
// Every line is then counted (loss). CPU is user + system time of the daemon from /proc.
// Reported: medians of ROUNDS rounds, messages per second, CPU microseconds per message.
//
// Environment: MESSAGES (1,000,000), HOSTS (100), CONNECTIONS (4), ROUNDS (3), ARGS (extra
// logharbor flags), LH_RSYSLOGD / LH_RSYSLOG_MODULES (else where
// `test/interop/install-senders.sh` unpacks rsyslog, else the PATH).
import { spawn } from 'node:child_process';
import {
  existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

const MESSAGES = Number(process.env.MESSAGES ?? 1_000_000);
const HOSTS = Number(process.env.HOSTS ?? 100);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 4);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const EXTRA = (process.env.ARGS ?? '').split(' ').filter((arg) => arg !== '');
const ROOT = new URL('..', import.meta.url).pathname;
const CLI = join(ROOT, 'dist/src/cli.js');
const PEERS = join(ROOT, 'node_modules/.cache/logharbor-peers/rsyslog');
const MODULE_DIR = 'usr/lib/x86_64-linux-gnu/rsyslog';
const TARGETS = { perSecond: 120_000, rsyslogRatio: 0.75 };
const CLOCK_TICKS = 100;
const POLL_MS = 50;
const SETTLE_MS = 1000;

function payload(from, count) {
  const lines = [];
  for (let index = from; index < from + count; index += 1) {
    lines.push(`<13>Dec  3 19:20:00 host${index % HOSTS} app[${index % 1000}]: ` +
      `benchmark message number ${index} with some ordinary text after it\n`);
  }
  return Buffer.from(lines.join(''));
}

/** The workload, cut into one buffer per connection, generated before any clock starts. */
function workload() {
  const share = Math.ceil(MESSAGES / CONNECTIONS);
  const buffers = [];
  for (let from = 0; from < MESSAGES; from += share) {
    buffers.push(payload(from, Math.min(share, MESSAGES - from)));
  }
  return buffers;
}

function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function send(port, buffer) {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(buffer));
    socket.on('error', reject);
    socket.on('close', resolve);
  });
}

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilAccepting(port, child) {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`daemon exited with ${child.exitCode}`);
    const accepted = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1', () => { socket.destroy(); resolve(true); });
      socket.on('error', () => resolve(false));
    });
    if (accepted) return;
    await sleep(POLL_MS);
  }
  throw new Error(`nothing listens on ${port}`);
}

function filesUnder(root) {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => statSync(join(entry.parentPath, entry.name)));
}

/** Resolves with the newest modification time once the files stopped growing. */
async function settledEnd(root, minimumBytes) {
  let last = -1;
  let stableSince = performance.now();
  for (;;) {
    const total = filesUnder(root).reduce((sum, file) => sum + file.size, 0);
    if (total !== last) {
      last = total;
      stableSince = performance.now();
    } else if (total >= minimumBytes && performance.now() - stableSince >= SETTLE_MS) {
      return Math.max(...filesUnder(root).map((file) => file.mtimeMs));
    }
    await sleep(POLL_MS);
  }
}

function countLines(root) {
  let lines = 0;
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const bytes = readFileSync(join(entry.parentPath, entry.name));
    for (let index = bytes.indexOf(10); index !== -1; index = bytes.indexOf(10, index + 1)) {
      lines += 1;
    }
  }
  return lines;
}

async function startLogharbor(dir) {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'run', '--udp', 'none',
    '--tcp', `127.0.0.1:${port}`, '--http', 'none', '--db', 'none',
    '--archive', join(dir, 'out'), '--timezone', 'UTC', '--log-level', 'warn', ...EXTRA],
  { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitUntilAccepting(port, child);
  return { child, port };
}

function rsyslogPaths() {
  const unpacked = join(PEERS, 'usr/sbin/rsyslogd');
  const binary = process.env.LH_RSYSLOGD ?? [unpacked, '/usr/sbin/rsyslogd']
    .find((path) => existsSync(path));
  const modules = process.env.LH_RSYSLOG_MODULES ?? [join(PEERS, MODULE_DIR),
    join('/', MODULE_DIR)].find((path) => existsSync(path));
  return binary === undefined || modules === undefined ? null : { binary, modules };
}

async function startRsyslog(dir, paths) {
  const port = await freePort();
  mkdirSync(join(dir, 'work'));
  const config = join(dir, 'rsyslog.conf');
  writeFileSync(config, [
    `global(workDirectory="${dir}/work")`,
    'module(load="imtcp")',
    `input(type="imtcp" address="127.0.0.1" port="${port}")`,
    `template(name="PerHostDay" type="string"`,
    `  string="${dir}/out/%HOSTNAME%/%$YEAR%-%$MONTH%-%$DAY%.log")`,
    'action(type="omfile" dynaFile="PerHostDay" dynaFileCacheSize="100" createDirs="on"',
    '  template="RSYSLOG_FileFormat")',
    '',
  ].join('\n'));
  const child = spawn(paths.binary, ['-n', '-f', config, '-i', join(dir, 'rsyslog.pid'),
    '-M', paths.modules], { stdio: ['ignore', 'ignore', 'inherit'], env: { TZ: 'UTC' } });
  await waitUntilAccepting(port, child);
  return { child, port };
}

async function runOnce(name, start, buffers) {
  const dir = mkdtempSync(join(tmpdir(), `lh-bench-archive-${name}-`));
  const { child, port } = await start(dir);
  try {
    const sentBytes = buffers.reduce((sum, buffer) => sum + buffer.length, 0);
    const cpuBefore = cpuSeconds(child.pid);
    const started = performance.timeOrigin + performance.now();
    await Promise.all(buffers.map((buffer) => send(port, buffer)));
    const ended = await settledEnd(join(dir, 'out'), sentBytes);
    const cpu = cpuSeconds(child.pid) - cpuBefore;
    const seconds = (ended - started) / 1000;
    return { perSecond: MESSAGES / seconds, cpuUs: (cpu * 1e6) / MESSAGES,
      lost: MESSAGES - countLines(join(dir, 'out')) };
  } finally {
    child.kill('SIGTERM');
    if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function summarize(runs) {
  return { perSecond: median(runs.map((run) => run.perSecond)),
    cpuUs: median(runs.map((run) => run.cpuUs)),
    lost: runs.reduce((sum, run) => sum + run.lost, 0), rounds: runs.length };
}

function printTable(results) {
  const rows = [['system', 'messages/s', 'CPU µs/message', 'lost', 'rounds']];
  for (const [name, result] of Object.entries(results)) {
    rows.push([name, Math.round(result.perSecond).toLocaleString('en-US'),
      result.cpuUs.toFixed(2), String(result.lost), String(result.rounds)]);
  }
  for (const row of rows) console.log(row.map((cell, index) => (index === 0
    ? cell.padEnd(26) : cell.padStart(15))).join(''));
}

function printTargets(results) {
  const ours = results.logharbor.perSecond;
  console.log(`\nlogharbor ${Math.round(ours).toLocaleString('en-US')}/s against the target ` +
    `${TARGETS.perSecond.toLocaleString('en-US')}/s: ` +
    `${ours >= TARGETS.perSecond ? 'met' : 'NOT met'}`);
  if (results.rsyslog === undefined) return;
  const ratio = ours / results.rsyslog.perSecond;
  console.log(`logharbor / rsyslog dynafile: ${ratio.toFixed(2)}x (target ` +
    `${TARGETS.rsyslogRatio}x: ${ratio >= TARGETS.rsyslogRatio ? 'met' : 'NOT met'})`);
}

async function main() {
  const rsyslog = rsyslogPaths();
  const systems = { logharbor: (dir) => startLogharbor(dir) };
  if (rsyslog === null) {
    console.log('rsyslog not found: measuring logharbor alone (install it with ' +
      '`bash test/interop/install-senders.sh`, or set LH_RSYSLOGD and LH_RSYSLOG_MODULES)');
  } else {
    systems['rsyslog'] = (dir) => startRsyslog(dir, rsyslog);
  }

  const buffers = workload();
  const runs = Object.fromEntries(Object.keys(systems).map((name) => [name, []]));
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const [name, start] of Object.entries(systems)) {
      const run = await runOnce(name, start, buffers);
      runs[name].push(run);
      console.log(`round ${round} ${name}: ${Math.round(run.perSecond)}/s, ` +
        `${run.cpuUs.toFixed(2)} µs/message, lost ${run.lost}`);
    }
  }

  const results = Object.fromEntries(Object.entries(runs).map(([name, list]) =>
    [name, summarize(list)]));
  console.log(`\n${MESSAGES.toLocaleString('en-US')} messages, ${HOSTS} hosts, ` +
    `${CONNECTIONS} TCP connections, medians of ${ROUNDS} rounds\n`);
  printTable(results);
  printTargets(results);
}

await main();
