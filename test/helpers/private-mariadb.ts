/**
 * A MariaDB server of the test's own, in a temporary data directory on a free port, that the
 * test may stop and start again (by its process id) without touching the shared server on
 * 3306. It runs with `--skip-grant-tables`: root without a password, loopback only.
 *
 * Runs where `LH_TEST_MYSQL_URL` is set (CI: then mariadbd must be installed, or the test
 * fails); elsewhere the tests that need it are skipped with a note.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { removeDir, tempDir, waitFor } from './collector.js';
import { MYSQL_SKIP } from './mysql.js';

export const PRIVATE_MARIADB_SKIP = MYSQL_SKIP === false ? false
  : `${MYSQL_SKIP}; the private MariaDB server runs with them`;

const MARIADBD = '/usr/sbin/mariadbd';

export interface PrivateMariaDb {
  /** `mysql://root@127.0.0.1:PORT/test` */
  url: string;
  port: number;
  /** Starts the server (again) and resolves once it answers. */
  start(): Promise<void>;
  /** Stops the server with `signal` and resolves once its process ended. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  /** For t.teardown: kills the server if it runs and removes its directory. */
  cleanup(): Promise<void>;
}

export async function createPrivateMariaDb(): Promise<PrivateMariaDb> {
  const dir = tempDir('logharbor-mariadb-');
  const install = spawnSync('mariadb-install-db', ['--no-defaults', `--datadir=${dir}/data`,
    '--auth-root-authentication-method=normal', '--skip-test-db'], { encoding: 'utf8' });
  if (install.status !== 0) {
    removeDir(dir);
    throw new Error(`mariadb-install-db failed (${install.status}): ${install.stderr}`);
  }
  const port = await freePort();
  let server: { child: ChildProcess; exited: Promise<void> } | null = null;

  const database: PrivateMariaDb = {
    url: `mysql://root@127.0.0.1:${port}/test`,
    port,
    start: async () => {
      server = launch(dir, port);
      await waitFor(() => answers(port), 60_000);
    },
    stop: async (signal = 'SIGTERM') => {
      if (server === null) return;
      const { child, exited } = server;
      server = null;
      child.kill(signal);
      await exited;
    },
    query: async <T>(sql: string) => {
      const connection = await mysql.createConnection({ host: '127.0.0.1', port,
        user: 'root', dateStrings: true });
      try {
        return (await connection.query(sql))[0] as T[];
      } finally {
        await connection.end();
      }
    },
    cleanup: async () => {
      await database.stop('SIGKILL');
      removeDir(dir);
    },
  };
  await database.start();
  await database.query('create database if not exists test character set utf8mb4');
  return database;
}

function launch(dir: string, port: number): { child: ChildProcess; exited: Promise<void> } {
  const child = spawn(MARIADBD, ['--no-defaults', `--datadir=${join(dir, 'data')}`,
    `--socket=${join(dir, 'mariadb.sock')}`, `--port=${port}`, '--bind-address=127.0.0.1',
    '--skip-grant-tables', '--user=root', `--pid-file=${join(dir, 'mariadb.pid')}`,
    `--log-error=${join(dir, 'error.log')}`, '--innodb-buffer-pool-size=16M',
    '--skip-log-bin'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return { child, exited };
}

async function answers(port: number): Promise<boolean> {
  try {
    const connection = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root' });
    await connection.end();
    return true;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
