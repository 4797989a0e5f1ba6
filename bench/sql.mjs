// SQL throughput benchmark: logharbor next to rsyslog (ommysql) and syslog-ng (sql()), all
// writing logharbor's own `logs` table in MariaDB, and next to the ceiling, mysql2 multi-row
// INSERTs of the same rows with no syslog at all (bench/sql-ceiling.mjs).
// Run with `npm run bench:sql` (it builds first); `--help` lists the flags. `npm run bench`
// runs the same comparison with the archive written too (scenario tcp-mariadb).
//
// Each run gets a fresh database (created, migrated by `logharbor migrate`, dropped after) and
// a fresh collector process. One TCP connection sends a warm-up (drained and not counted, so
// start-up, JIT and the first connect stay out of the figure), then --messages RFC 3164 lines
// as fast as the collector reads them. The rate is the rows that arrived divided by the time
// from the first byte sent until MAX(seq) showed the last row, polled every 50 ms: parsing,
// queueing and committing are all inside it. Runs are interleaved (round 1 of every engine,
// then round 2, ...) so drift of this shared machine hits all engines alike; medians are
// reported. CPU per message comes from /proc/PID/stat of the collector and of mariadbd.
// logharbor also writes its archive, as it does in production; the peers write the table only.
//
// MariaDB is a private instance unless --db names a server to use instead (bench/lib/mariadb.mjs);
// rsyslog and syslog-ng are found or installed by bench/lib/peers.mjs.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runInsertCeiling } from './lib/insert-ceiling.mjs';
import { Load } from './lib/load.mjs';
import { externalServer, startMariadb } from './lib/mariadb.mjs';
import { drain } from './lib/outputs.mjs';
import { peerTools } from './lib/peers.mjs';
import { ProcessGroup, cpuSeconds, log, once } from './lib/processes.mjs';
import { SYSTEMS } from './lib/systems.mjs';
import { messageChunks } from './lib/workload.mjs';

const ENGINES = ['logharbor', 'rsyslog', 'syslog-ng', 'ceiling'];
const TARGETS = { rsyslog: 1.6, 'syslog-ng': 6, ceiling: 0.75 };

const USAGE = `Usage: node bench/sql.mjs [options]
  --messages N        messages per measured run (500000)
  --runs N            interleaved rounds (5)
  --only LIST         engines, comma-separated: ${ENGINES.join(',')} (all)
  --warmup N          messages sent and drained before each measured run (10000)
  --db URL            use this server (mysql://root@127.0.0.1:3306) instead of a private one;
                      a database lhbench_* is created and dropped for each run
  --logharbor-args S  extra arguments for \`logharbor run\`, e.g. "--batch-size 2000"
  --stall S           give up on a run after S seconds (60) with no new row
  --json FILE         also write every run's figures to FILE
  --sender loggen|node
                      loggen (default): syslog-ng's load generator replays the messages, one
                      send() per message, as bench-peers measured the peers; node: one
                      connection written in large chunks, a burst from a batching forwarder
  --show-row          print the last row each run stored, to check every column is filled
  --keep              keep the scratch directory`;

/** The load: one TCP connection, RFC 3164 lines from 50 hosts, as fast as they are read. */
const LOAD = { transport: 'tcp', framing: 'lf', connections: 1, mix: 'rfc3164', hosts: 50,
  rate: 0 };
/** What each engine writes: logharbor its archive as well, the peers the table only. */
const scenarioOf = (engine) => ({ ...LOAD, sql: 'mariadb',
  archive: engine === 'logharbor' ? 'hosts' : null });

async function main(group) {
  const work = mkdtempSync(join(tmpdir(), 'logharbor-bench-'));
  if (!options.keep) group.onClose(() => rmSync(work, { recursive: true, force: true }));
  const tools = {};
  const engines = options.only.filter((engine) => {
    if (engine !== 'rsyslog' && engine !== 'syslog-ng') return true;
    tools[engine] = peerTools(engine, { mysql: true, sql: true });
    return tools[engine] !== null;
  });
  const server = options.db === undefined ? await startMariadb(group, work)
    : externalServer(options.db);
  if (options.db === undefined) group.onClose(() => server.stop());
  const load = { warmup: workload(work, 'warmup', options.warmup),
    measured: workload(work, 'bench', options.messages) };
  const results = [];
  for (let round = 1; round <= options.runs; round += 1) {
    for (const engine of engines) {
      const result = await runOnce({ group, engine, round, work, server, tools, load });
      results.push(result);
      log(describe(result));
    }
  }
  if (options.json !== undefined) writeFileSync(options.json, JSON.stringify(results, null, 2));
  process.stdout.write(`${summary(results, engines)}\n`);
}

async function runOnce({ engine, round, work, server, ...context }) {
  const database = `lhbench_${round}_${engine.replace('-', '_')}`;
  const dir = join(work, database);
  mkdirSync(dir, { recursive: true });
  await server.createDatabase(database);
  try {
    const run = { ...context, dir, database, server, round,
      scenario: { ...scenarioOf(engine), id: 'sql', count: options.messages } };
    return engine === 'ceiling' ? fromCeiling(await runInsertCeiling(run))
      : await runCollector(engine, run);
  } finally {
    await server.dropDatabase(database);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runCollector(engine, run) {
  const collector = await SYSTEMS[engine].start(run.group,
    { ...run, logharborArgs: options.logharborArgs, messages: options.messages });
  try {
    const warm = await sendAndDrain(run, collector, run.load.warmup, 0);
    const cpu = { engine: cpuSeconds(collector.pid), db: run.server.cpuSeconds() };
    const started = Date.now();
    const done = await sendAndDrain(run, collector, run.load.measured, warm.count);
    if (options.showRow) await showLastRow(engine, run);
    const got = done.count - warm.count;
    return { engine, round: run.round, sent: options.messages, got,
      seconds: (done.lastAt - started) / 1000,
      engineCpuUs: perRow(cpuSeconds(collector.pid), cpu.engine, got),
      dbCpuUs: perRow(run.server.cpuSeconds(), cpu.db, got) };
  } finally {
    await collector.stop();
  }
}

/** Sends `load` with the chosen sender; resolves with the table's { count, lastAt } after. */
async function sendAndDrain(run, collector, load, before) {
  const table = collector.outputs.at(-1);
  const sent = SENDERS[options.sender](run, collector.port, load);
  const [figures] = await drain([table], { targets: [before + load.count], sent,
    idleMs: options.stallMs });
  await sent;
  if (figures.count < before + load.count) {
    log(`gave up waiting: ${figures.count - before} of ${load.count} rows`);
  }
  return figures;
}

const perRow = (end, start, rows) =>
  (end === null || start === null || rows === 0 ? null : ((end - start) * 1e6) / rows);

function fromCeiling(result) {
  return { engine: 'ceiling', round: result.round, sent: result.sent, got: result.arrived,
    seconds: result.seconds, engineCpuUs: (result.cpuSeconds * 1e6) / result.arrived,
    dbCpuUs: result.dbCpuSeconds === null ? null : (result.dbCpuSeconds * 1e6) / result.arrived };
}

async function showLastRow(engine, run) {
  const connection = await run.server.connect(run.database);
  const [[row]] = await connection.query('select * from logs order by seq desc limit 1');
  await connection.end();
  log(`${engine} stored: ${JSON.stringify(row)}`);
}

// ---------------------------------------------------------------------------- sending ---

/** `count` messages as a file for loggen to replay; the node sender generates its own. */
function workload(work, run, count) {
  const file = join(work, `${run}.txt`);
  writeFileSync(file, Buffer.concat(messageChunks({ from: 0, count, run, stampMs: Date.now() })));
  return { file, count, run };
}

/** Each sends `load` to 127.0.0.1:port and resolves once all of it was sent. */
const SENDERS = {
  async node(run, port, load) {
    const sender = await Load.prepare({ ...LOAD, port, count: load.count,
      run: load.run, stampMs: Date.now() });
    await sender.go();
    await sender.close();
  },
  async loggen(run, port, load) {
    // -d: send the lines as they are; -l: loop over the file; -r: as fast as one thread
    // goes; -I: lift loggen's default 10 s limit. A new connection each time.
    const child = run.group.spawn('loggen', ['-i', '-S', '-R', load.file, '-d', '-l',
      '-r', '10000000', '-n', String(load.count), '-I', '3600', '127.0.0.1', String(port)],
    { stdio: 'ignore' });
    const [code] = await once(child, 'exit');
    if (code !== 0) throw new Error(`loggen exited with ${code}`);
  },
};

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

function readOptions() {
  const { values } = parseArgs({ options: {
    messages: { type: 'string', default: '500000' },
    runs: { type: 'string', default: '5' },
    only: { type: 'string', default: ENGINES.join(',') },
    warmup: { type: 'string', default: '10000' },
    db: { type: 'string' },
    'logharbor-args': { type: 'string', default: '' },
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
    stallMs: Number(values.stall) * 1000 };
}

// Last, so that every constant above is initialised before the first run.
const options = readOptions();
const group = new ProcessGroup();
group.closeOnSignals();
try {
  await main(group);
} finally {
  await group.close();
}
