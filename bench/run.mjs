// `npm run bench` (issue #7): logharbor next to rsyslog 8 and syslog-ng 3.38, run as private
// instances in the same run, and next to the ceilings (a raw Node receiver that only counts;
// mysql2 multi-row INSERTs into the same `logs` table), in the scenarios of
// bench/lib/scenarios.mjs. `--help` lists the flags; README.md, "Performance", says what each
// scenario measures.
//
// One run is one system in one scenario: a fresh process, fresh output directory and fresh
// database; a warm-up load sent and drained first (start-up, JIT and the first connect stay
// out of the figures); then the measured load from bench/lib/load.mjs. Measured per run:
//   msg/s      messages that arrived / (last one written or committed - first one sent)
//   lost       sent - arrived, counted in every output (lines and rows) once it has drained
//   CPU        user + system seconds of the system's process and of mariadbd (/proc/PID/stat)
//   peak RSS   the system's VmHWM (/proc/PID/status)
// Rounds are interleaved (round 1 of every system, then round 2, ...) so drift of a shared
// machine hits every system alike; medians are reported.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runInsertCeiling } from './lib/insert-ceiling.mjs';
import { externalServer, startMariadb } from './lib/mariadb.mjs';
import { runLoad } from './lib/measured-run.mjs';
import { runOutage } from './lib/outage.mjs';
import { runRateSearch } from './lib/rate-search.mjs';
import { peerTools, peerVersions } from './lib/peers.mjs';
import { ProcessGroup, log } from './lib/processes.mjs';
import { formatTable, summarize } from './lib/report.mjs';
import { SCENARIOS, sized } from './lib/scenarios.mjs';

const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));
const ALL_SYSTEMS = ['logharbor', 'rsyslog', 'syslog-ng', 'node', 'mysql2'];
/**
 * Messages sent and drained before each measured run. TCP's is large enough for logharbor's
 * parse threads to have compiled their code (measured: a thread's first 25,000 messages cost
 * it five times what later ones do); datagrams come at a slow warm-up rate, so fewer.
 */
const WARMUP = { tcp: 100_000, udp: 5_000, quick: 1_000 };

const USAGE = `Usage: npm run bench -- [options]
  --only LIST       scenarios, comma-separated (all): ${SCENARIOS.map((s) => s.id).join(', ')}
  --systems LIST    systems, comma-separated (all): ${ALL_SYSTEMS.join(', ')}
                    (node: raw Node receive ceiling; mysql2: multi-row INSERT ceiling)
  --messages N      base size: measured messages per run (200000); TCP archive scenarios
                    send 2.5x, fixed-size scenarios (hosts-100k, db-outage) ignore it
  --rounds N        interleaved rounds, medians reported (3; hosts-100k and db-outage run once)
  --quick           a smoke run of about 2 minutes: 20,000 messages, 1 round, smaller
                    hosts-100k and db-outage
  --db URL          MariaDB to use (mysql://root:PASS@127.0.0.1:3306) instead of a private
                    one; databases lhbench_* are created and dropped in it
  --logharbor-args S  extra arguments for \`logharbor run\`, e.g. "--parse-threads 0"
  --out FILE        results JSON (bench/results/<date>[-quick].json)
  --keep            keep the scratch directory
  --list            print the scenarios and exit
  --help            this text`;

async function main(options) {
  const group = new ProcessGroup();
  group.closeOnSignals();
  try {
    await runAll(group, options);
  } finally {
    await group.close();
  }
}

async function runAll(group, options) {
  const work = mkdtempSync(join(tmpdir(), 'logharbor-bench-'));
  if (!options.keep) group.onClose(() => rmSync(work, { recursive: true, force: true }));
  const size = { base: options.messages, quick: options.quick };
  const scenarios = SCENARIOS.filter((scenario) => options.only.includes(scenario.id))
    .map((scenario) => sized(scenario, size));
  const tools = findTools(scenarios, options.systems);
  const server = await databaseFor(group, work, scenarios, options.db);
  const context = { group, work, tools, server, logharborArgs: options.logharborArgs,
    quick: options.quick };
  const started = Date.now();
  const runs = [];
  for (const scenario of scenarios) {
    const systems = scenario.systems.filter((name) => options.systems.includes(name)
      && (name in tools || !['rsyslog', 'syslog-ng'].includes(name)));
    log(`${scenario.id}: ${scenario.title}; ${scenario.count} messages, ${systems.join(', ')}`);
    for (let round = 1; round <= (scenario.rounds ?? options.rounds); round += 1) {
      for (const system of systems) {
        const result = await runOnce(context, { scenario, system, round });
        runs.push(result);
        log(describe(result));
      }
    }
  }
  const summary = summarize(runs);
  const report = { date: new Date().toISOString(), quick: options.quick,
    seconds: Math.round((Date.now() - started) / 1000), machine: machine(),
    versions: { node: process.version, ...peerVersions(tools) }, options, summary, runs };
  const file = options.out ?? join(RESULTS, `${report.date.slice(0, 10)}` +
    `${options.quick ? '-quick' : ''}.json`);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${formatTable(summary)}\n\nresults: ${file}\n`);
}

/** rsyslog and syslog-ng, found or installed, for the systems the scenarios use. */
function findTools(scenarios, systems) {
  const tools = {};
  const sql = scenarios.some((scenario) => scenario.sql === 'mariadb');
  for (const name of ['rsyslog', 'syslog-ng']) {
    if (!systems.includes(name) || !scenarios.some((s) => s.systems.includes(name))) continue;
    const found = peerTools(name, name === 'rsyslog' ? { mysql: sql } : { sql });
    if (found !== null) tools[name] = found;
  }
  return tools;
}

async function databaseFor(group, work, scenarios, url) {
  if (!scenarios.some((scenario) => scenario.sql === 'mariadb')) return null;
  if (url !== undefined) return externalServer(url);
  const server = await startMariadb(group, work);
  group.onClose(() => server.stop());
  return server;
}

async function runOnce(context, { scenario, system, round }) {
  const dir = mkdtempSync(join(context.work, `${scenario.id}-${system}-`));
  const database = scenario.sql === 'mariadb'
    ? `lhbench_${scenario.id}_${system}_${round}`.replace(/-/g, '_') : null;
  if (database !== null) await context.server.createDatabase(database);
  const warmup = context.quick ? WARMUP.quick : WARMUP[scenario.transport];
  const run = { ...context, dir, database, scenario, system, round, warmup };
  try {
    if (system === 'mysql2') return await runInsertCeiling(run);
    if (scenario.outage !== undefined) return await runOutage(run);
    if (scenario.search !== undefined) return await runRateSearch(run);
    return await runLoad(run);
  } catch (error) {
    log(`${scenario.id} ${system} round ${round} failed: ${error.stack}`);
    return { scenario: scenario.id, system, round, error: error.message };
  } finally {
    if (database !== null) await context.server.dropDatabase(database);
    rmSync(dir, { recursive: true, force: true });
  }
}

function describe(result) {
  if (result.error !== undefined) return `${result.scenario} ${result.system}: failed`;
  const rate = result.perSecond === null ? '-' : Math.round(result.perSecond);
  return `round ${result.round} ${result.scenario} ${result.system}: ` +
    `${result.arrived}/${result.sent} in ${result.seconds?.toFixed(2)} s = ${rate} msg/s, ` +
    `CPU ${result.cpuSeconds?.toFixed(2)} s, DB CPU ${result.dbCpuSeconds?.toFixed(2) ?? '-'} s`;
}

function machine() {
  return { cores: cpus().length, cpu: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30), kernel: release() };
}

function readOptions(argv) {
  const { values } = parseFlags(argv, {
    only: { type: 'string', default: SCENARIOS.map((scenario) => scenario.id).join(',') },
    systems: { type: 'string', default: ALL_SYSTEMS.join(',') },
    messages: { type: 'string' },
    rounds: { type: 'string' },
    quick: { type: 'boolean', default: false },
    db: { type: 'string' },
    out: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'logharbor-args': { type: 'string', default: '' },
    list: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  });
  if (values.help) return exitWith(USAGE);
  if (values.list) {
    return exitWith(SCENARIOS.map((scenario) => `${scenario.id.padEnd(12)} ${scenario.title}` +
      ` [${scenario.systems.join(', ')}]`).join('\n'));
  }
  const only = listOption(values.only, SCENARIOS.map((scenario) => scenario.id), '--only');
  const systems = listOption(values.systems, ALL_SYSTEMS, '--systems');
  return { only, systems, quick: values.quick, db: values.db, out: values.out, keep: values.keep,
    logharborArgs: values['logharbor-args'].split(/\s+/).filter(Boolean),
    messages: positive(values.messages ?? (values.quick ? '20000' : '200000'), '--messages'),
    rounds: positive(values.rounds ?? (values.quick ? '1' : '3'), '--rounds') };
}

function parseFlags(args, options) {
  try {
    return parseArgs({ args, options });
  } catch (error) {
    throw new UsageError(`${error.message} (see --help)`);
  }
}

function listOption(text, known, flag) {
  const names = text.split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new UsageError(`Unknown value in ${flag}: ${unknown.join(', ')} (known: ` +
      `${known.join(', ')})`);
  }
  return names;
}

function positive(text, flag) {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new UsageError(`${flag} takes a positive integer, not ${text}`);
  }
  return value;
}

class UsageError extends Error {}

function exitWith(text) {
  process.stdout.write(`${text}\n`);
  process.exit(0);
}

try {
  await main(readOptions(process.argv.slice(2)));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`bench: ${error.message}\n`);
  process.exitCode = 2;
}
