/**
 * Runs the real compiled collector (`node dist/src/cli.js`) as a child process on port 0,
 * with its data in a temporary directory, and talks to it over real sockets.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

export const CLI = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));

export interface LogEvent {
  msg: string;
  [key: string]: unknown;
}

export interface Collector {
  dir: string;
  udpPort: number;
  tcpPort: number;
  /** The first `--tls` listener's port; 0 without one. */
  tlsPort: number;
  httpPort: number;
  process: ChildProcess;
  events: LogEvent[];
  /** Sends SIGTERM (or `signal`) and resolves with the exit code once the process ended. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
  /** For t.teardown: kills the process if it still runs and removes its directory. */
  cleanup(): Promise<void>;
}

export interface StartOptions {
  /** Flags that replace the test defaults of the same name or add to them. */
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** A directory of the caller's; it is then not removed by `cleanup`. */
  dir?: string;
  /**
   * Starts the collector through `env -i`, outside tap's process tracking: a collector that
   * drops privileges could not write tap's files at exit.
   */
  untracked?: boolean;
}

export function tempDir(prefix = 'logharbor-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Starts the collector and resolves once it logged `started` (or rejects if it exits). */
export async function startCollector(options: StartOptions = {}): Promise<Collector> {
  const dir = options.dir ?? tempDir();
  const given = options.args ?? [];
  const defaults: Array<[string, string]> = [['--udp', '127.0.0.1:0'], ['--tcp', '127.0.0.1:0'],
    ['--http', '127.0.0.1:0'], ['--db', `sqlite:${join(dir, 'logs.sqlite')}`],
    ['--archive', join(dir, 'archive')], ['--spool', join(dir, 'spool')],
    ['--timezone', 'UTC'], ['--instance', 'test']];
  const args = ['run', ...defaults.filter(([flag]) => !given.includes(flag)).flat(), ...given];
  const env = { PATH: process.env.PATH, ...options.env };
  const child = options.untracked === true
    ? spawn('env', ['-i', ...Object.entries(env).map(([name, value]) => `${name}=${value}`),
      process.execPath, CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const events: LogEvent[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));

  const started = new Promise<void>((resolve, reject) => {
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (line.trim() === '') continue;
        const event = JSON.parse(line) as LogEvent;
        events.push(event);
        if (event.msg === 'started') resolve();
      }
    });
    void exited.then((code) => reject(new Error(`collector exited with ${code}: ${stderr}`)));
  });
  await started;

  const portOf = (transport: string): number =>
    Number(events.find((event) => event.msg === 'listening' &&
      event.transport === transport)?.port ?? 0);
  return {
    dir, events, process: child, exited,
    udpPort: portOf('udp'), tcpPort: portOf('tcp'), tlsPort: portOf('tls'),
    httpPort: portOf('http'),
    stop: async (signal = 'SIGTERM') => {
      child.kill(signal);
      return exited;
    },
    cleanup: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      if (options.dir === undefined) removeDir(dir);
    },
  };
}

/** Runs the CLI to completion; for commands that exit (check-config, migrate, bad options). */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}):
  Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `from`: a local address to send from, e.g. 127.0.0.2 as a second loopback sender. */
export interface SendOptions {
  from?: string;
}

export async function sendUdp(port: number, messages: Array<string | Buffer>,
  options: SendOptions = {}): Promise<void> {
  const socket = createSocket('udp4');
  if (options.from !== undefined) {
    await new Promise<void>((resolve) => socket.bind(0, options.from, resolve));
  }
  for (const message of messages) {
    await new Promise<void>((resolve, reject) => socket.send(
      typeof message === 'string' ? Buffer.from(message) : message, port, '127.0.0.1',
      (error) => (error ? reject(error) : resolve())));
  }
  socket.close();
}

/** Opens a TCP connection, writes each chunk in turn, then ends it and waits for the close. */
export function sendTcp(port: number, chunks: Array<string | Buffer>,
  options: SendOptions = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress: options.from }, async () => {
      for (const chunk of chunks) {
        if (!socket.write(chunk)) await new Promise((drained) => socket.once('drain', drained));
      }
      socket.end();
    });
    socket.on('error', reject);
    socket.on('close', () => resolve());
  });
}

/** Polls `check` until it returns true, at most `timeoutMs`. */
export async function waitFor(check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export async function fetchJson(port: number, path: string):
  Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, body: await response.json() as Record<string, unknown> };
}

export type Row = Record<string, unknown>;

export function sqliteRows(path: string, where = ''): Row[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(`select * from logs ${where} order by seq`).all() as Row[];
  } finally {
    db.close();
  }
}

/**
 * The year a collector running now gives an RFC 3164 stamp of month `month` (1–12), day `day`:
 * the one that puts it closest to the receive time. Tests that send such stamps expect it,
 * so they keep passing in any year.
 */
export function nearestYear(month: number, day: number, now: number = Date.now()): number {
  const thisYear = new Date(now).getUTCFullYear();
  const distance = (year: number): number => Math.abs(Date.UTC(year, month - 1, day) - now);
  return [thisYear - 1, thisYear + 1].reduce((best, year) =>
    (distance(year) < distance(best) ? year : best), thisYear);
}
