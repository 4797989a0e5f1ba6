// The processes a benchmark starts, and what /proc says about them. Every daemon a bench
// script runs is spawned through one ProcessGroup, so whatever happens (a failed run, ^C) each
// one is stopped by its own PID on the way out, and never by name.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { connect, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** USER_HZ, the unit of the CPU times in /proc/PID/stat; 100 on every Linux we run on. */
const TICKS_PER_SECOND = 100;
const STOP_GRACE_MS = 15_000;

export class ProcessGroup {
  #children = new Set();
  #cleanups = [];

  /** spawn(), remembered until the process exits so that close() can stop it. */
  spawn(command, args, options) {
    const child = spawn(command, args, options);
    this.#children.add(child);
    child.once('exit', () => this.#children.delete(child));
    child.once('error', (error) => log(`${command}: ${error.message}`));
    return child;
  }

  /** Runs `cleanup` at close(), after every process is stopped, latest first. */
  onClose(cleanup) {
    this.#cleanups.push(cleanup);
  }

  /** Stops everything on SIGINT and SIGTERM too, then exits as a shell would. */
  closeOnSignals() {
    process.once('SIGINT', () => void this.close().then(() => process.exit(130)));
    process.once('SIGTERM', () => void this.close().then(() => process.exit(143)));
  }

  async close() {
    await Promise.all([...this.#children].map((child) => stopProcess(child)));
    while (this.#cleanups.length > 0) {
      try {
        await this.#cleanups.pop()();
      } catch (error) {
        log(`cleanup: ${error.message}`);
      }
    }
  }
}

/** SIGTERM to the child's PID, SIGKILL if it is still there after the grace; idempotent. */
export async function stopProcess(child, { graceMs = STOP_GRACE_MS } = {}) {
  if (exited(child)) return;
  const gone = once(child, 'exit');
  child.kill('SIGTERM');
  const stopped = await Promise.race([gone.then(() => true), sleep(graceMs).then(() => false)]);
  if (stopped) return;
  log(`${child.spawnfile} (pid ${child.pid}) ignored SIGTERM for ${graceMs} ms: SIGKILL`);
  child.kill('SIGKILL');
  await gone;
}

export function exited(child) {
  return child.exitCode !== null || child.signalCode !== null;
}

/** User + system CPU seconds of `pid`, all threads; null once the process is gone. */
export function cpuSeconds(pid) {
  const stat = readProc(pid, 'stat');
  if (stat === null) return null;
  // The command name in parentheses may hold spaces: fields are counted after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** The process's peak resident set (VmHWM) in bytes; null once the process is gone. */
export function peakRssBytes(pid) {
  return statusKilobytes(pid, 'VmHWM');
}

/** The process's resident set now (VmRSS) in bytes. */
export function rssBytes(pid) {
  return statusKilobytes(pid, 'VmRSS');
}

function statusKilobytes(pid, key) {
  const status = readProc(pid, 'status');
  const match = status === null ? null : new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
  return match === null ? null : Number(match[1]) * 1024;
}

function readProc(pid, file) {
  if (pid === null || pid === undefined) return null;
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return null;
  }
}

/** A 127.0.0.1 port that was free a moment ago, for a daemon's own listener. */
export async function freePort(transport = 'tcp') {
  if (transport === 'udp') {
    const socket = createSocket('udp4');
    await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const { port } = socket.address();
    await new Promise((resolve) => socket.close(resolve));
    return port;
  }
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves once `child` listens on every { transport, port } of `ports` (20 s at most). */
export async function waitForListeners(child, ports) {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (exited(child)) {
      throw new Error(`${child.spawnfile} exited with ${child.exitCode ?? child.signalCode}`);
    }
    const ready = await Promise.all(ports.map(({ transport, port }) =>
      (transport === 'udp' ? udpBound(port) : accepts(port))));
    if (ready.every(Boolean)) return;
    await sleep(100);
  }
  throw new Error(`${child.spawnfile} did not listen on ${JSON.stringify(ports)}`);
}

function accepts(port) {
  return new Promise((resolve) => {
    const probe = connect({ host: '127.0.0.1', port }, () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

/** UDP cannot be probed without sending a message, so the kernel's socket table is read. */
function udpBound(port) {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const table = readFileSync('/proc/net/udp', 'utf8');
  return table.split('\n').some((line) => line.trim().split(/\s+/)[1] === local);
}

export function once(emitter, event) {
  return new Promise((resolve) => emitter.once(event, (...args) => resolve(args)));
}

/** Progress lines go to stderr with the time of day, so stdout keeps only the results. */
export function log(message) {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);
}
