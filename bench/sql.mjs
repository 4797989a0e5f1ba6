// SQL throughput benchmark: logharbor next to rsyslog (ommysql) and syslog-ng (sql()), all
// writing logharbor's own `logs` table in MariaDB, and next to the ceiling, mysql2 multi-row
// INSERTs of the same rows with no syslog at all (bench/sql-ceiling.mjs).
// Run with `npm run bench:sql` (it builds first); `--help` lists the flags.
//
// Each run gets a fresh database (created, migrated by `logharbor migrate`, dropped after) and
// a fresh collector process. One TCP connection sends a warm-up (drained and not counted, so
// start-up, JIT and the first connect stay out of the figure), then --messages RFC 3164 lines
// as fast as the collector reads them. The rate is the rows that arrived divided by the time
// from the first byte sent until MAX(seq) showed the last row, polled every 50 ms: parsing,
// queueing and committing are all inside it. Runs are interleaved (round 1 of every engine,
// then round 2, ...) so drift of this shared machine hits all engines alike; medians are
// reported. CPU per message comes from /proc/PID/stat of the collector and of mariadbd.
//
// MariaDB is a private instance (mariadb-install-db into a scratch directory, its own port)
// unless --db names a server to use instead. rsyslog runs from its Debian packages unpacked
// into a cache directory, because Debian's rsyslog and syslog-ng packages exclude each other.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync }
  from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import { messageChunks } from './lib/workload.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(HERE);
const CLI = path.join(ROOT, 'dist/src/cli.js');
const ENGINES = ['logharbor', 'rsyslog', 'syslog-ng', 'ceiling'];
const TARGETS = { rsyslog: 1.6, 'syslog-ng': 6, ceiling: 0.75 };
const POLL_MS = 50;
const TICKS_PER_SECOND = 100;
const CACHE = path.join(os.tmpdir(), 'logharbor-bench-cache');
const BENCH_USER = { user: 'lhbench', password: 'lhbench' };

const USAGE = `Usage: node bench/sql.mjs [options]
  --messages N        messages per measured run (500000)
  --runs N            interleaved rounds (5)
  --only LIST         engines, comma-separated: ${ENGINES.join(',')} (all)
  --warmup N          messages sent and drained before each measured run (10000)
  --db URL            use this server (mysql://root@127.0.0.1:3306) instead of a private one;
                      a database lhbench_* is created and dropped for each run
  --logharbor-args S  extra arguments for \`logharbor run\`, e.g. "--batch-size 2000"
  --timeout S         give up on a run after S seconds (900), or after --stall S (60) with no row
  --json FILE         also write every run's figures to FILE
  --sender loggen|node
                      loggen (default): syslog-ng's load generator replays the messages, one
                      send() per message, as bench-peers measured the peers; node: one
                      connection written in 60 KB chunks, a burst from a batching forwarder
  --show-row          print the last row each run stored, to check every column is filled
  --keep              keep the scratch directory`;

const cleanups = [];
/** Every engine process still running, stopped on the way out whatever happens. */
const children = new Set();
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));
process.on('SIGTERM', () => void cleanup().then(() => process.exit(143)));

async function main() {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const work = mkdtempSync(path.join(os.tmpdir(), 'logharbor-bench-'));
  if (!options.keep) cleanups.push(() => rmSync(work, { recursive: true, force: true }));
  const engines = options.only.filter((engine) => toolsFor(engine, work));
  const server = options.db === undefined ? await startMariadb(work) : externalServer(options.db);
  const admin = await mysql.createConnection({ ...server.connection, multipleStatements: true });
  cleanups.push(() => admin.end());

  const load = {
    warmup: workload(work, 'warmup', options.warmup),
    measured: workload(work, 'bench', options.messages),
  };
  const results = [];
  for (let round = 1; round <= options.runs; round += 1) {
    for (const engine of engines) {
      const result = await runOnce({ engine, round, work, server, admin, load });
      results.push(result);
      log(describe(result));
    }
  }
  if (options.json !== undefined) writeFileSync(options.json, JSON.stringify(results, null, 2));
  process.stdout.write(`${summary(results, engines)}\n`);
}

function readOptions() {
  const { values } = parseArgs({ options: {
    messages: { type: 'string', default: '500000' },
    runs: { type: 'string', default: '5' },
    only: { type: 'string', default: ENGINES.join(',') },
    warmup: { type: 'string', default: '10000' },
    db: { type: 'string' },
    'logharbor-args': { type: 'string', default: '' },
    timeout: { type: 'string', default: '900' },
    stall: { type: 'string', default: '60' },
    json: { type: 'string' },
    'show-row': { type: 'boolean', default: false },
    sender: { type: 'string', default: 'loggen' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  } });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const only = values.only.split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = only.filter((name) => !ENGINES.includes(name));
  if (unknown.length > 0) throw new Error(`Unknown engine in --only: ${unknown.join(', ')}`);
  if (!(values.sender in SENDERS)) throw new Error(`Unknown --sender ${values.sender}`);
  return { messages: Number(values.messages), runs: Number(values.runs), only,
    warmup: Number(values.warmup), db: values.db, keep: values.keep, json: values.json,
    showRow: values['show-row'], sender: values.sender,
    logharborArgs: values['logharbor-args'].split(/\s+/).filter(Boolean),
    timeoutMs: Number(values.timeout) * 1000, stallMs: Number(values.stall) * 1000 };
}

// ---------------------------------------------------------------------------- one run ---

async function runOnce({ engine, round, work, server, admin, load }) {
  const database = `lhbench_${round}_${engine.replace('-', '_')}`;
  const dir = path.join(work, database);
  mkdirSync(dir, { recursive: true });
  await admin.query(`drop database if exists ${database}; create database ${database}`);
  try {
    execFileSync(process.execPath, [CLI, 'migrate', '--db', server.url(database)],
      { stdio: ['ignore', 'ignore', 'inherit'] });
    const context = { dir, database, server };
    return engine === 'ceiling' ? await runCeiling(context, round)
      : await runCollector(engine, context, round, load);
  } finally {
    await admin.query(`drop database if exists ${database}`);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runCollector(engine, context, round, load) {
  const collector = await START[engine](context);
  const table = await mysql.createConnection({ ...context.server.connection,
    database: context.database });
  const sender = await SENDERS[options.sender](collector.port);
  try {
    await sender.send(load.warmup);
    const warm = await waitForRows(table, options.warmup, Date.now());
    const cpu = cpuPair(collector.child.pid, context.server.pid);
    const started = Date.now();
    await sender.send(load.measured);
    const done = await waitForRows(table, warm.count + options.messages, started);
    if (options.showRow) await showLastRow(engine, table);
    return { engine, round, sent: options.messages, got: done.count - warm.count,
      seconds: (done.at - started) / 1000, ...cpu.since(done.count - warm.count) };
  } finally {
    sender.close();
    await table.end();
    await stopProcess(collector.child);
  }
}

async function runCeiling(context, round) {
  const db = cpuPair(null, context.server.pid);
  const child = track(spawn(process.execPath, [path.join(HERE, 'sql-ceiling.mjs'),
    '--url', context.server.url(context.database), '--rows', String(options.messages)],
  { stdio: ['ignore', 'pipe', 'inherit'] }));
  let output = '';
  child.stdout.on('data', (chunk) => { output += chunk; });
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`sql-ceiling.mjs exited with ${code}`);
  const figures = JSON.parse(output);
  return { engine: 'ceiling', round, sent: figures.rows, got: figures.count,
    seconds: figures.seconds, ...db.since(figures.count),
    engineCpuUs: (figures.cpuSeconds * 1e6) / figures.count };
}

/** Polls MAX(seq) (an index lookup, unlike COUNT(*)) until `target` rows, then counts. */
async function waitForRows(table, target, started) {
  let last = -1;
  let progressAt = Date.now();
  for (;;) {
    const now = Date.now();
    const [[{ top }]] = await table.query('select coalesce(max(seq), 0) as top from logs');
    if (Number(top) >= target) {
      const count = await countRows(table);
      if (count >= target) return { count, at: now };
    }
    if (Number(top) !== last) [last, progressAt] = [Number(top), now];
    if (now - progressAt > options.stallMs || now - started > options.timeoutMs) {
      log(`gave up waiting: ${last} of ${target} rows`);
      return { count: await countRows(table), at: progressAt };
    }
    await sleep(POLL_MS);
  }
}

async function showLastRow(engine, table) {
  const [[row]] = await table.query('select * from logs order by seq desc limit 1');
  log(`${engine} stored: ${JSON.stringify(row)}`);
}

async function countRows(table) {
  const [[{ count }]] = await table.query('select count(*) as count from logs');
  return Number(count);
}

// ---------------------------------------------------------------------------- sending ---

/** `count` messages, as Buffers for the node sender and as a file for loggen to replay. */
function workload(work, run, count) {
  const chunks = messageChunks({ from: 0, count, run, stampMs: Date.now() });
  const file = path.join(work, `${run}.txt`);
  writeFileSync(file, Buffer.concat(chunks));
  return { chunks, file, count };
}

/** A sender connected to 127.0.0.1:port: `send(load)` resolves once all of it was sent. */
const SENDERS = {
  async node(port) {
    const socket = await new Promise((resolve, reject) => {
      const connection = net.connect({ host: '127.0.0.1', port }, () => resolve(connection));
      connection.once('error', reject);
    });
    return {
      async send(load) {
        for (const chunk of load.chunks) {
          if (!socket.write(chunk)) await once(socket, 'drain');
        }
      },
      close: () => socket.destroy(),
    };
  },
  async loggen(port) {
    return {
      async send(load) {
        // -d: send the lines as they are; -l: loop over the file; -r: as fast as one thread
        // goes; -I: lift loggen's default 10 s limit. A new connection each time.
        const child = track(spawn('loggen', ['-i', '-S', '-R', load.file, '-d', '-l',
          '-r', '10000000', '-n', String(load.count), '-I', '3600', '127.0.0.1', String(port)],
        { stdio: 'ignore' }));
        const [code] = await once(child, 'exit');
        if (code !== 0) throw new Error(`loggen exited with ${code}`);
      },
      close: () => undefined,
    };
  },
};

// ---------------------------------------------------------------------------- engines ---

const START = {
  logharbor: startLogharbor,
  rsyslog: startRsyslog,
  'syslog-ng': startSyslogNg,
};

async function startLogharbor({ dir, database, server }) {
  const child = track(spawn(process.execPath, [CLI, 'run', '--tcp', '127.0.0.1:0',
    '--udp', 'none', '--http', '127.0.0.1:0', '--db', server.url(database),
    '--archive', path.join(dir, 'archive'),
    '--spool', path.join(dir, 'spool'), '--instance', 'bench', '--timezone', 'UTC',
    ...options.logharborArgs], { stdio: ['ignore', 'pipe', 'inherit'], env: benchEnv() }));
  const port = await new Promise((resolve, reject) => {
    let pending = '';
    child.stdout.on('data', (chunk) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) {
        const event = parseJson(line);
        if (event?.msg === 'listening' && event.transport === 'tcp') resolve(event.port);
      }
    });
    child.once('exit', (code) => reject(new Error(`logharbor exited with ${code} at start`)));
  });
  return { child, port };
}

async function startRsyslog({ dir, database, server }) {
  const port = await freePort();
  const conf = render('rsyslog-sql.conf.in', path.join(dir, 'rsyslog.conf'),
    { WORK: dir, TCP_PORT: port, ...sqlPlaceholders(server, database) });
  mkdirSync(path.join(dir, 'rsyslog'), { recursive: true });
  const child = track(spawn(TOOLS.rsyslogd, ['-n', '-f', conf,
    '-i', path.join(dir, 'rsyslogd.pid'), '-M', TOOLS.rsyslogModules],
  { stdio: ['ignore', 'inherit', 'inherit'], env: benchEnv() }));
  await waitForListener(child, port);
  return { child, port };
}

async function startSyslogNg({ dir, database, server }) {
  const port = await freePort();
  const conf = render('syslog-ng-sql.conf.in', path.join(dir, 'syslog-ng.conf'),
    { TCP_PORT: port, ...sqlPlaceholders(server, database) });
  const child = track(spawn('syslog-ng', ['-F', '--no-caps', `--cfgfile=${conf}`,
    `--pidfile=${path.join(dir, 'syslog-ng.pid')}`,
    `--persist-file=${path.join(dir, 'syslog-ng.persist')}`,
    `--control=${path.join(dir, 'syslog-ng.ctl')}`],
  { stdio: ['ignore', 'inherit', 'inherit'], env: benchEnv() }));
  await waitForListener(child, port);
  return { child, port };
}

function sqlPlaceholders(server, database) {
  const { port, user, password } = server.connection;
  return { DB_PORT: port, DB_USER: user, DB_PASS: password ?? '', DB_NAME: database };
}

/** Every engine stamps and formats times in UTC, the zone the messages are written in. */
function benchEnv() {
  return { ...process.env, TZ: 'UTC' };
}

async function waitForListener(child, port) {
  let exited = false;
  child.once('exit', () => { exited = true; });
  for (let attempt = 0; attempt < 200 && !exited; attempt += 1) {
    if (await accepts(port)) return;
    await sleep(100);
  }
  throw new Error(`${path.basename(child.spawnfile)} did not listen on 127.0.0.1:${port}`);
}

function accepts(port) {
  return new Promise((resolve) => {
    const probe = net.connect({ host: '127.0.0.1', port }, () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

async function stopProcess(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const stopped = await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)]);
  if (!stopped) {
    child.kill('SIGKILL');
    await exited;
  }
}

// ------------------------------------------------------------------------------ tools ---

const TOOLS = {};

/** Finds (or installs) what `engine` needs; false, with a message, when it cannot. */
function toolsFor(engine, work) {
  try {
    if (engine === 'rsyslog') Object.assign(TOOLS, rsyslogTools());
    if (engine === 'syslog-ng') syslogNgTools();
    return true;
  } catch (error) {
    log(`skipping ${engine}: ${error.message}`);
    return false;
  }
}

/** rsyslogd with ommysql: installed, or unpacked from the Debian packages into CACHE. */
function rsyslogTools() {
  const installed = findModules('/usr/lib');
  if (installed !== null && hasCommand('rsyslogd')) {
    return { rsyslogd: 'rsyslogd', rsyslogModules: installed };
  }
  const root = path.join(CACHE, 'rsyslog-root');
  if (findModules(path.join(root, 'usr/lib')) === null) {
    const debs = path.join(CACHE, 'debs');
    mkdirSync(debs, { recursive: true });
    log(`unpacking rsyslog and rsyslog-mysql into ${root}`);
    execFileSync('apt-get', ['download', 'rsyslog', 'rsyslog-mysql'], { cwd: debs,
      stdio: 'ignore' });
    for (const deb of readdirSync(debs).filter((name) => name.endsWith('.deb'))) {
      execFileSync('dpkg-deb', ['-x', path.join(debs, deb), root]);
    }
  }
  const modules = findModules(path.join(root, 'usr/lib'));
  if (modules === null) throw new Error('rsyslog-mysql could not be unpacked');
  return { rsyslogd: path.join(root, 'usr/sbin/rsyslogd'), rsyslogModules: modules };
}

/** The rsyslog module directory holding ommysql.so under `lib`, or null. */
function findModules(lib) {
  if (!existsSync(lib)) return null;
  for (const entry of ['', ...readdirSync(lib)]) {
    const candidate = path.join(lib, entry, 'rsyslog');
    if (existsSync(path.join(candidate, 'ommysql.so'))) return candidate;
  }
  return null;
}

function syslogNgTools() {
  const module = '/usr/lib/syslog-ng';
  const hasSql = () => existsSync(module) && readdirSync(module).some((version) =>
    existsSync(path.join(module, version, 'libafsql.so')));
  if (hasCommand('syslog-ng') && hasSql()) return;
  log('apt-get install syslog-ng-core syslog-ng-mod-sql libdbd-mysql');
  execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'syslog-ng-core',
    'syslog-ng-mod-sql', 'libdbd-mysql'], { stdio: 'ignore',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

function hasCommand(name) {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// ----------------------------------------------------------------------------- server ---

async function startMariadb(work) {
  const base = path.join(work, 'mysql');
  mkdirSync(base, { recursive: true });
  const port = await freePort();
  const cnf = render('mariadb.cnf.in', path.join(base, 'mariadb.cnf'),
    { WORK: work, DB_PORT: port, USER: os.userInfo().username });
  execFileSync('mariadb-install-db', [`--defaults-file=${cnf}`,
    '--auth-root-authentication-method=socket'], { stdio: 'ignore' });
  const child = spawn('mariadbd', [`--defaults-file=${cnf}`], { stdio: 'ignore' });
  cleanups.push(() => stopProcess(child));
  const socket = path.join(base, 'mysql.sock');
  await waitForSocket(child, socket);
  const root = await mysql.createConnection({ socketPath: socket, user: 'root' });
  const { user, password } = BENCH_USER;
  await root.query(`create user '${user}'@'127.0.0.1' identified by '${password}'`);
  await root.query(`grant all privileges on *.* to '${user}'@'127.0.0.1'`);
  await root.end();
  log(`private MariaDB on 127.0.0.1:${port} (${base})`);
  return serverAt({ host: '127.0.0.1', port, ...BENCH_USER }, child.pid);
}

async function waitForSocket(child, socket) {
  for (let attempt = 0; attempt < 300 && child.exitCode === null; attempt += 1) {
    try {
      const probe = await mysql.createConnection({ socketPath: socket, user: 'root' });
      await probe.end();
      return;
    } catch {
      await sleep(100);
    }
  }
  throw new Error('mariadbd did not start; see error.log in the scratch directory');
}

function externalServer(text) {
  const url = new URL(text);
  const connection = { host: url.hostname, port: Number(url.port || 3306),
    user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
  return serverAt(connection, mariadbPid(connection.port));
}

function serverAt(connection, pid) {
  const auth = connection.password === '' ? connection.user
    : `${connection.user}:${encodeURIComponent(connection.password)}`;
  return { connection, pid,
    url: (database) => `mysql://${auth}@${connection.host}:${connection.port}/${database}` };
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

// ------------------------------------------------------------------------------- cpu ---

/** CPU seconds used so far by `pid` (all threads), from /proc; null when unreadable. */
function cpuSeconds(pid) {
  if (pid === null || pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** Starts measuring an engine's and the database's CPU; `since(rows)` gives µs per row. */
function cpuPair(enginePid, dbPid) {
  const engine0 = cpuSeconds(enginePid);
  const db0 = cpuSeconds(dbPid);
  const perRow = (pid, start, rows) => {
    const end = cpuSeconds(pid);
    return start === null || end === null || rows === 0 ? null : ((end - start) * 1e6) / rows;
  };
  return { since: (rows) => ({ engineCpuUs: perRow(enginePid, engine0, rows),
    dbCpuUs: perRow(dbPid, db0, rows) }) };
}

// --------------------------------------------------------------------------- summary ---

function describe(result) {
  const rate = result.seconds > 0 ? result.got / result.seconds : 0;
  return `round ${result.round} ${result.engine}: ${result.got}/${result.sent} rows in ` +
    `${result.seconds.toFixed(2)} s = ${Math.round(rate)} msg/s; CPU µs/msg ` +
    `${fixed(result.engineCpuUs)} engine, ${fixed(result.dbCpuUs)} MariaDB`;
}

function summary(results, engines) {
  const rows = engines.map((engine) => figuresOf(engine, results));
  const lines = [
    `${options.messages} RFC 3164 messages over TCP, ${options.runs} interleaved runs, medians`,
    '',
    '| engine | runs | msg/s median (min–max) | rows stored | engine CPU µs/msg | ' +
      'MariaDB CPU µs/row |',
    '|---|---|---|---|---|---|',
    ...rows.map((row) => `| ${row.engine} | ${row.runs} | ${thousands(row.median)} ` +
      `(${thousands(row.min)}–${thousands(row.max)}) | ${row.complete} | ` +
      `${fixed(row.engineCpuUs)} | ${fixed(row.dbCpuUs)} |`),
  ];
  const ours = rows.find((row) => row.engine === 'logharbor');
  const others = rows.filter((row) => row.engine in TARGETS);
  if (ours === undefined || others.length === 0) return lines.join('\n');
  lines.push('', '| ratio | measured | target | |', '|---|---|---|---|');
  for (const row of others) {
    const ratio = ours.median / row.median;
    const target = TARGETS[row.engine];
    lines.push(`| logharbor ÷ ${row.engine} | ${ratio.toFixed(2)} | ≥ ${target} | ` +
      `${ratio >= target ? 'met' : 'missed'} |`);
  }
  return lines.join('\n');
}

function figuresOf(engine, results) {
  const runs = results.filter((result) => result.engine === engine);
  const rates = runs.map((result) => (result.seconds > 0 ? result.got / result.seconds : 0));
  const complete = runs.filter((result) => result.got === result.sent).length;
  return { engine, runs: runs.length, median: median(rates), min: Math.min(...rates),
    max: Math.max(...rates), complete: `${complete}/${runs.length} complete`,
    engineCpuUs: median(runs.map((result) => result.engineCpuUs).filter(isNumber)),
    dbCpuUs: median(runs.map((result) => result.dbCpuUs).filter(isNumber)) };
}

function median(values) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const isNumber = (value) => typeof value === 'number' && Number.isFinite(value);
const fixed = (value) => (isNumber(value) ? value.toFixed(1) : '-');
const thousands = (value) => (isNumber(value) ? `${(value / 1000).toFixed(1)}k` : '-');

// ----------------------------------------------------------------------------- helpers ---

/** `bench/peers/NAME` with each `@KEY@` of `values` filled in, written to `target`. */
function render(name, target, values) {
  let text = readFileSync(path.join(HERE, 'peers', name), 'utf8');
  for (const [key, value] of Object.entries(values)) text = text.replaceAll(`@${key}@`, value);
  writeFileSync(target, text);
  return target;
}

/** A port nobody listens on now (the engine binds it a moment later). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function once(emitter, event) {
  return new Promise((resolve) => emitter.once(event, (...args) => resolve(args)));
}

function parseJson(line) {
  try {
    return JSON.parse(line);
  } catch {
    return null;
  }
}

/** Registers a started process so that cleanup() stops it even after a failure. */
function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

async function cleanup() {
  await Promise.all([...children].map((child) => stopProcess(child)));
  while (cleanups.length > 0) {
    try {
      await cleanups.pop()();
    } catch (error) {
      log(`cleanup: ${error.message}`);
    }
  }
}

function log(message) {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);
}

// Last, so that every constant above is initialised before the first run.
const options = readOptions();
try {
  await main();
} finally {
  await cleanup();
}
