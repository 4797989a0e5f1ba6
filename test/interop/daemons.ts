/**
 * Real senders for the interop suite: util-linux `logger`, and private rsyslog and syslog-ng
 * instances, each with its own config, pid file, work or persist directory and sockets in a
 * temporary directory, listening on 127.0.0.1 high ports only and stopped by PID. Nothing
 * here touches port 514, /dev/log or a system daemon.
 *
 * rsyslog is looked for where `install-senders.sh` unpacks it (or `LH_TEST_RSYSLOGD` and
 * `LH_TEST_RSYSLOG_MODULES`), then on the PATH; syslog-ng and logger on the PATH. With
 * `LH_TEST_INTEROP=1` (CI) a missing sender fails the suite; otherwise its tests are skipped
 * with a note saying what to run.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../helpers/collector.js';

export type SenderName = 'logger' | 'rsyslog' | 'syslog-ng';

interface SenderPaths {
  logger: string | null;
  syslogNg: string | null;
  rsyslogd: string | null;
  rsyslogModules: string | null;
}

const PEERS_DIR = fileURLToPath(new URL('../../node_modules/.cache/logharbor-peers/',
  import.meta.url));
const UNPACKED_RSYSLOG = join(PEERS_DIR, 'rsyslog');
const MODULE_DIR = 'usr/lib/x86_64-linux-gnu/rsyslog';
/** Daemons get this zone, so their RFC 3164 stamps are UTC wall clock like the collector's. */
const DAEMON_ENV = { PATH: process.env.PATH, TZ: 'UTC', LANG: 'C.UTF-8' };

function onPath(name: string): string | null {
  const dirs = (process.env.PATH ?? '').split(delimiter).concat(['/usr/sbin', '/sbin']);
  return dirs.map((dir) => join(dir, name)).find((path) => existsSync(path)) ?? null;
}

function locateSenders(): SenderPaths {
  const unpacked = join(UNPACKED_RSYSLOG, 'usr/sbin/rsyslogd');
  const rsyslogd = process.env.LH_TEST_RSYSLOGD ??
    (existsSync(unpacked) ? unpacked : onPath('rsyslogd'));
  const modules = process.env.LH_TEST_RSYSLOG_MODULES ??
    [join(UNPACKED_RSYSLOG, MODULE_DIR), join('/', MODULE_DIR)].find((dir) => existsSync(dir));
  return { logger: onPath('logger'), syslogNg: onPath('syslog-ng'), rsyslogd,
    rsyslogModules: rsyslogd === null ? null : modules ?? null };
}

export const senders = locateSenders();

const present: Record<SenderName, boolean> = {
  'logger': senders.logger !== null,
  'rsyslog': senders.rsyslogd !== null && existsSync(senders.rsyslogd) &&
    senders.rsyslogModules !== null,
  'syslog-ng': senders.syslogNg !== null,
};

export const interopRequired = process.env.LH_TEST_INTEROP === '1';

/**
 * A tap `skip` value for a test that needs `names`: false when all are here, else a note
 * naming what is missing. Where the suite is required, the caller fails instead.
 */
export function missingSenders(names: SenderName[]): string | false {
  const missing = names.filter((name) => !present[name]);
  if (missing.length === 0) return false;
  return `${missing.join(', ')} not installed (bash test/interop/install-senders.sh)`;
}

/** Runs `logger` with `args`, in UTC, and resolves when it has sent. */
export function logger(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(senders.logger ?? 'logger', args, { env: DAEMON_ENV }, (error, _out, stderr) =>
      (error ? reject(new Error(`logger ${args.join(' ')}: ${stderr}`, { cause: error }))
        : resolve()));
  });
}

/** The non-ASCII text both relay tests send. */
export const RELAY_UNICODE = 'Grüße aus Köln — 日本語 ✓';

/**
 * The three messages a relay test sends: sshd through the relay's local socket, an RFC 5424
 * message with structured data to `rfc5424Port`, an RFC 3164 one with a TAB to `rfc3164Port`.
 */
export async function sendRelayMessages(socket: string, ports: { rfc5424: number;
  rfc3164: number }): Promise<void> {
  await logger(['-u', socket, '-t', 'sshd', '--id=4321', '-p', 'auth.info',
    'Accepted publickey for alice from 192.0.2.7 port 50522 ssh2']);
  await logger(['-n', '127.0.0.1', '-P', String(ports.rfc5424), '-d', '--rfc5424=notq',
    '-t', 'backup', '--id=77', '--msgid', 'NIGHTLY', '-p', 'local3.warning',
    '--sd-id', 'zoo@32473', '--sd-param', 'tiger="hungry"', RELAY_UNICODE]);
  await logger(['-n', '127.0.0.1', '-P', String(ports.rfc3164), '-d', '--rfc3164', '-t', 'app',
    '-p', 'local0.err', 'tab\there']);
}

/** A port that was free a moment ago on 127.0.0.1, for a daemon's own listener. */
export async function freePort(transport: 'udp' | 'tcp'): Promise<number> {
  if (transport === 'tcp') {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve));
    return port;
  }
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = socket.address().port;
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

/** What a daemon has up once it is ready: a listening port or a unix socket file. */
export type Readiness = { udp: number } | { tcp: number } | { socket: string };

export interface Daemon {
  pid: number;
  dir: string;
  /** Everything the daemon wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM by PID, waits for the exit (SIGKILL after 20 s); safe to call twice. */
  stop(): Promise<void>;
}

export interface DaemonOptions {
  /** The daemon's private directory; the config file is written into it. */
  dir: string;
  config: string;
  ready?: Readiness[];
}

export function startRsyslog(options: DaemonOptions): Promise<Daemon> {
  const conf = join(options.dir, 'rsyslog.conf');
  mkdirSync(join(options.dir, 'work'), { recursive: true });
  writeFileSync(conf, options.config);
  return startDaemon(senders.rsyslogd ?? 'rsyslogd', ['-n', '-f', conf,
    '-i', join(options.dir, 'rsyslogd.pid'), '-M', senders.rsyslogModules ?? ''], options);
}

/**
 * The head of every syslog-ng config here: the sender's own hostname is kept and never
 * looked up. `@version` names the release the configs were written for; a newer syslog-ng
 * runs them in compatibility mode.
 */
export const SYSLOG_NG_OPTIONS = '@version: 3.38\n' +
  'options { keep-hostname(yes); chain-hostnames(no); use-dns(no); stats-freq(0); };\n';

export function startSyslogNg(options: DaemonOptions): Promise<Daemon> {
  const conf = join(options.dir, 'syslog-ng.conf');
  mkdirSync(options.dir, { recursive: true });
  writeFileSync(conf, options.config);
  return startDaemon(senders.syslogNg ?? 'syslog-ng', ['-F', '--no-caps', '-f', conf,
    '--pidfile', join(options.dir, 'syslog-ng.pid'),
    '--persist-file', join(options.dir, 'syslog-ng.persist'),
    '--control', join(options.dir, 'syslog-ng.ctl')], options);
}

async function startDaemon(command: string, args: string[],
  options: DaemonOptions): Promise<Daemon> {
  const child = spawn(command, args, { env: DAEMON_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const daemon: Daemon = { pid: child.pid ?? 0, dir: options.dir, output: () => output,
    stop: () => stopChild(child, exited) };

  try {
    await waitFor(() => {
      if (child.exitCode !== null) throw new Error(`${command} exited: ${output}`);
      return (options.ready ?? []).every(isReady);
    }, 20_000);
  } catch (error) {
    await daemon.stop();
    throw new Error(`${command} did not become ready: ${output}`, { cause: error });
  }
  return daemon;
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  process.kill(child.pid ?? 0, 'SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(killer);
}

function isReady(readiness: Readiness): boolean {
  if ('socket' in readiness) return existsSync(readiness.socket);
  if ('udp' in readiness) return listening('/proc/net/udp', readiness.udp, '07');
  return listening('/proc/net/tcp', readiness.tcp, '0A');
}

/** A socket bound to 127.0.0.1:port in `state` (07 UDP unconnected, 0A TCP LISTEN). */
function listening(table: string, port: number, state: string): boolean {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const rows = readFileSync(table, 'utf8').split('\n').map((line) => line.trim().split(/\s+/));
  return rows.some((columns) => columns[1] === local && columns[3] === state);
}
