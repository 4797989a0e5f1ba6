/**
 * A MariaDB server of the test's own: a data directory made by `mariadb-install-db` in a
 * temporary directory and a `mariadbd` on a free loopback port, so a test may SIGKILL it and
 * start it again on the same port without touching the shared server. Root logs in over TCP
 * without a password; `url(database)` names a database on it.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { removeDir, tempDir } from './collector.js';

const MARIADBD = '/usr/sbin/mariadbd';
const START_TIMEOUT_MS = 60_000;

/** True when this machine can run a private server (the binaries are installed). */
export const PRIVATE_MARIADB_SKIP = existsSync(MARIADBD)
  ? false : `${MARIADBD} is not installed: private MariaDB tests skipped`;

export class PrivateMariaDb {
  readonly dir: string;
  readonly port: number;
  readonly #serverArgs: string[];
  #process: ChildProcess | null = null;
  #exited: Promise<unknown> = Promise.resolve();

  private constructor(dir: string, port: number, serverArgs: string[]) {
    this.dir = dir;
    this.port = port;
    this.#serverArgs = serverArgs;
  }

  /**
   * Installs a fresh data directory and starts the server on a free port, with `serverArgs`
   * (e.g. `--local-infile=0`) after its own.
   */
  static async create(options: { serverArgs?: string[] } = {}): Promise<PrivateMariaDb> {
    const dir = tempDir('logharbor-mariadb-');
    await promisify(execFile)('mariadb-install-db', ['--no-defaults',
      '--auth-root-authentication-method=normal', `--datadir=${join(dir, 'data')}`,
      '--skip-test-db', ...userArgs()]);
    const server = new PrivateMariaDb(dir, await freePort(), options.serverArgs ?? []);
    await server.start();
    return server;
  }

  get pid(): number | undefined {
    return this.#process?.pid;
  }

  /** Starts `mariadbd` (again) on this server's port and waits until it takes logins. */
  async start(): Promise<void> {
    const child = spawn(MARIADBD, ['--no-defaults', `--datadir=${join(this.dir, 'data')}`,
      `--socket=${join(this.dir, 'mysqld.sock')}`, `--port=${this.port}`,
      '--bind-address=127.0.0.1', `--pid-file=${join(this.dir, 'mysqld.pid')}`,
      `--log-error=${join(this.dir, 'error.log')}`, '--skip-name-resolve',
      '--innodb-buffer-pool-size=64M', '--skip-log-bin',
      ...userArgs(), ...this.#serverArgs], { stdio: 'ignore' });
    this.#process = child;
    this.#exited = new Promise((resolve) => child.once('exit', resolve));
    await this.#waitForLogins(child);
  }

  /** SIGKILL, as a crash or the OOM killer does; resolves once the process is gone. */
  async kill(): Promise<void> {
    const child = this.#process;
    if (child === null || child.exitCode !== null || child.signalCode !== null) return;
    process.kill(child.pid as number, 'SIGKILL');
    await this.#exited;
    this.#process = null;
  }

  url(database: string): string {
    return `mysql://root@127.0.0.1:${this.port}/${database}`;
  }

  /** Runs statements as root on a connection of its own (no database selected). */
  async query<T = Record<string, unknown>>(sql: string, values: unknown[] = []): Promise<T[]> {
    const connection = await mysql.createConnection({ host: '127.0.0.1', port: this.port,
      user: 'root', dateStrings: true, charset: 'utf8mb4' });
    try {
      return (await connection.query(sql, values))[0] as T[];
    } finally {
      await connection.end();
    }
  }

  /** For t.teardown: kills the server and removes its data directory. */
  async destroy(): Promise<void> {
    await this.kill();
    removeDir(this.dir);
  }

  async #waitForLogins(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) break;
      try {
        await this.query('select 1');
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    const log = join(this.dir, 'error.log');
    throw new Error(`mariadbd on port ${this.port} did not start: ` +
      (existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : 'no error.log'));
  }
}

/** mariadbd refuses to run as root unless told to (tests in CI containers run as root). */
function userArgs(): string[] {
  return process.getuid?.() === 0 ? ['--user=root'] : [];
}

/** A loopback port nobody listens on now (the kernel's choice, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address !== null ? address.port : 0;
}
