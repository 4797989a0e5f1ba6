// Archive benchmark: the real collector (`dist/src/cli.js run --db none`) receives MESSAGES
// RFC 3164 lines over TCP from HOSTS hosts (one connection per CONNECTIONS share) and writes
// them to the archive alone. Reported: wall time from the first byte sent until
// `stored_archive` reaches MESSAGES and every archive line is on disk, messages per second,
// and the collector's CPU time (user + system, from /proc) per message.
// Environment: MESSAGES (1,000,000), HOSTS (100), CONNECTIONS (4), ARGS (extra flags).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const MESSAGES = Number(process.env.MESSAGES ?? 1_000_000);
const HOSTS = Number(process.env.HOSTS ?? 100);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 4);
const EXTRA = (process.env.ARGS ?? '').split(' ').filter((arg) => arg !== '');
const CLI = new URL('../dist/src/cli.js', import.meta.url).pathname;
const CLOCK_TICKS = 100;

function payload(from, count) {
  const lines = [];
  for (let index = from; index < from + count; index += 1) {
    lines.push(`<13>Dec  3 19:20:00 host${index % HOSTS} app[${index % 1000}]: ` +
      `benchmark message number ${index} with some ordinary text after it\n`);
  }
  return Buffer.from(lines.join(''));
}

function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function startCollector(dir) {
  const child = spawn(process.execPath, [CLI, 'run', '--udp', 'none', '--tcp', '127.0.0.1:0',
    '--http', '127.0.0.1:0', '--db', 'none', '--archive', join(dir, 'archive'),
    '--timezone', 'UTC', '--log-level', 'info', ...EXTRA],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const ports = {};
    let buffered = '';
    child.stdout.on('data', (chunk) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop();
      for (const line of lines) {
        const event = JSON.parse(line);
        if (event.msg === 'listening') ports[event.transport] = event.port;
        if (event.msg === 'started') resolve({ child, ports });
      }
    });
    child.on('exit', (code) => reject(new Error(`collector exited with ${code}`)));
  });
}

function send(port, buffer) {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(buffer));
    socket.on('error', reject);
    socket.on('close', resolve);
  });
}

async function storedArchive(port) {
  const response = await fetch(`http://127.0.0.1:${port}/stats.json`);
  return (await response.json()).stored_archive;
}

function archiveBytes(root) {
  let total = 0;
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) total += statSync(join(entry.parentPath, entry.name)).size;
  }
  return total;
}

const dir = mkdtempSync(join(tmpdir(), 'logharbor-bench-'));
const { child, ports } = await startCollector(dir);
try {
  const share = Math.ceil(MESSAGES / CONNECTIONS);
  const buffers = [];
  for (let from = 0; from < MESSAGES; from += share) {
    buffers.push(payload(from, Math.min(share, MESSAGES - from)));
  }
  const expectedBytes = buffers.reduce((sum, buffer) => sum + buffer.length, 0);
  const cpuBefore = cpuSeconds(child.pid);
  const started = performance.now();
  await Promise.all(buffers.map((buffer) => send(ports.tcp, buffer)));
  while (await storedArchive(ports.http) < MESSAGES) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  // Each archive line is longer than its frame (RFC 3339 stamp), so bytes on disk must at
  // least reach what was sent before the last write is known to be done.
  while (archiveBytes(join(dir, 'archive')) < expectedBytes) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuSeconds(child.pid) - cpuBefore;
  console.log(JSON.stringify({ messages: MESSAGES, hosts: HOSTS, connections: CONNECTIONS,
    seconds: Number(seconds.toFixed(2)), per_second: Math.round(MESSAGES / seconds),
    cpu_us_per_message: Number((cpu * 1e6 / MESSAGES).toFixed(2)), args: EXTRA.join(' ') }));
} finally {
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  rmSync(dir, { recursive: true, force: true });
}
