// The MariaDB the SQL scenarios write into: a private instance (mariadb-install-db into a
// scratch directory, its own port on 127.0.0.1, stopped by PID), or a server named by URL.
// Each run gets a database of its own, created, migrated by `logharbor migrate` (so every
// system writes the same `logs` table) and dropped after.
//
// The private instance can be SIGKILLed and started again on the same data directory, for
// the outage scenario; its CPU figure adds up every process it ran as.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { mariadbTools } from './peers.mjs';
import { cpuSeconds, freePort, log, once, stopProcess } from './processes.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const CLI = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));
const BENCH_USER = { user: 'lhbench', password: 'lhbench' };
const START_ATTEMPTS = 600;

/** Starts a private MariaDB under `work`; resolves with its server handle. */
export async function startMariadb(group, work) {
  mariadbTools();
  const base = join(work, 'mysql');
  mkdirSync(base, { recursive: true });
  const port = await freePort();
  const cnf = join(base, 'mariadb.cnf');
  const template = readFileSync(join(HERE, '../peers/mariadb.cnf.in'), 'utf8');
  writeFileSync(cnf, template.replaceAll('@WORK@', work).replaceAll('@DB_PORT@', String(port))
    .replaceAll('@USER@', userInfo().username));
  execFileSync('mariadb-install-db', [`--defaults-file=${cnf}`,
    '--auth-root-authentication-method=socket'], { stdio: 'ignore' });
  const server = new PrivateServer(group, { cnf, socket: join(base, 'mysql.sock'), port });
  await server.start();
  const root = await mysql.createConnection({ socketPath: server.socket, user: 'root' });
  const { user, password } = BENCH_USER;
  await root.query(`create user '${user}'@'127.0.0.1' identified by '${password}'`);
  await root.query(`grant all privileges on *.* to '${user}'@'127.0.0.1'`);
  await root.end();
  log(`private MariaDB on 127.0.0.1:${port} (${base})`);
  return server;
}

/** A server handle for MariaDB at `text` (mysql://USER:PASS@HOST:PORT), not started here. */
export function externalServer(text) {
  const url = new URL(text);
  const connection = { host: url.hostname, port: Number(url.port || 3306),
    user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
  return new ExternalServer(connection, mariadbPid(connection.port));
}

class Server {
  constructor(connection) {
    this.connection = connection;
  }

  /** The URL logharbor is given for `database`. */
  url(database) {
    const { host, port, user, password } = this.connection;
    const auth = password === '' ? user : `${user}:${encodeURIComponent(password)}`;
    return `mysql://${auth}@${host}:${port}/${database}`;
  }

  /** What a peer's config needs to reach `database`. */
  credentials(database) {
    const { port, user, password } = this.connection;
    return { port, user, password: password ?? '', database };
  }

  connect(database) {
    return mysql.createConnection({ ...this.connection, database });
  }

  /** Creates `database` with logharbor's schema in it. */
  async createDatabase(database) {
    const admin = await this.connect(undefined);
    try {
      await admin.query(`drop database if exists ${database}`);
      await admin.query(`create database ${database}`);
    } finally {
      await admin.end();
    }
    execFileSync(process.execPath, [CLI, 'migrate', '--db', this.url(database)],
      { stdio: ['ignore', 'ignore', 'inherit'] });
  }

  async dropDatabase(database) {
    const admin = await this.connect(undefined);
    try {
      await admin.query(`drop database if exists ${database}`);
    } finally {
      await admin.end();
    }
  }
}

class ExternalServer extends Server {
  #pid;

  constructor(connection, pid) {
    super(connection);
    this.#pid = pid;
  }

  cpuSeconds() {
    return cpuSeconds(this.#pid);
  }
}

class PrivateServer extends Server {
  #group;
  #cnf;
  #child = null;
  /** CPU seconds of the processes this server ran as before the current one. */
  #earlierCpu = 0;

  constructor(group, { cnf, socket, port }) {
    super({ host: '127.0.0.1', port, ...BENCH_USER });
    this.#group = group;
    this.#cnf = cnf;
    this.socket = socket;
  }

  get pid() {
    return this.#child?.pid ?? null;
  }

  async start() {
    this.#child = this.#group.spawn('mariadbd', [`--defaults-file=${this.#cnf}`],
      { stdio: 'ignore' });
    for (let attempt = 0; attempt < START_ATTEMPTS && this.#child.exitCode === null;
      attempt += 1) {
      if (await this.#answers()) return;
      await sleep(100);
    }
    throw new Error(`mariadbd did not start; see ${join(this.#cnf, '../error.log')}`);
  }

  /** SIGKILL, as a crash or an OOM kill would end it: no clean InnoDB shutdown. */
  async kill() {
    this.#earlierCpu += cpuSeconds(this.#child.pid) ?? 0;
    const gone = once(this.#child, 'exit');
    this.#child.kill('SIGKILL');
    await gone;
  }

  async stop() {
    if (this.#child !== null) await stopProcess(this.#child);
  }

  cpuSeconds() {
    const current = cpuSeconds(this.pid);
    return current === null ? null : this.#earlierCpu + current;
  }

  async #answers() {
    try {
      const probe = await mysql.createConnection({ socketPath: this.socket, user: 'root' });
      await probe.end();
      return true;
    } catch {
      return false;
    }
  }
}

/** The pid of a local mariadbd on `port`, for its CPU figures; null when not found. */
function mariadbPid(port) {
  try {
    const listing = execFileSync('ss', ['-Hltnp', `sport = :${port}`], { encoding: 'utf8' });
    const match = /pid=(\d+)/.exec(listing);
    return match === null ? null : Number(match[1]);
  } catch {
    return null;
  }
}
