// Archive benchmark (issue #5): MESSAGES RFC 3164 lines from HOSTS hosts over CONNECTIONS TCP
// connections into per-host daily files, by logharbor (`run --db none`, the default
// `{host}/{date}.log` layout) and by rsyslog 8 (imtcp, omfile with a dynaFile per host and day,
// dynaFileCacheSize 100), in the same run, rounds interleaved so drift of this shared machine
// hits both alike. Run with `npm run bench:archive` (it builds first); `npm run bench` runs
// the same comparison, with syslog-ng too, as its scenario tcp-hosts.
//
// Each run is one of bench/lib/measured-run.mjs: a warm-up, then the clock runs from the first
// byte sent until the last line is on disk (the newest file's modification time once every
// line is there), and every line is counted (loss). CPU is user + system time of the daemon
// from /proc. Reported: medians of ROUNDS rounds, messages per second, CPU µs per message.
//
// Environment: MESSAGES (1,000,000), HOSTS (100), CONNECTIONS (4), ROUNDS (3), ARGS (extra
// logharbor flags), LH_RSYSLOGD / LH_RSYSLOG_MODULES (else where bench/lib/peers.mjs finds or
// unpacks rsyslog).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLoad } from './lib/measured-run.mjs';
import { peerTools } from './lib/peers.mjs';
import { ProcessGroup } from './lib/processes.mjs';

const MESSAGES = Number(process.env.MESSAGES ?? 1_000_000);
const HOSTS = Number(process.env.HOSTS ?? 100);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 4);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const EXTRA = (process.env.ARGS ?? '').split(' ').filter((arg) => arg !== '');
const TARGETS = { perSecond: 120_000, rsyslogRatio: 0.75 };
const WARMUP = 5_000;

const SCENARIO = { id: 'archive', transport: 'tcp', framing: 'lf', connections: CONNECTIONS,
  mix: 'rfc3164', hosts: HOSTS, rate: 0, archive: 'hosts', sql: null, count: MESSAGES };

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function summarize(runs) {
  return { perSecond: median(runs.map((run) => run.perSecond)),
    cpuUs: median(runs.map((run) => (run.cpuSeconds * 1e6) / run.arrived)),
    lost: runs.reduce((sum, run) => sum + run.sent - run.arrived, 0), rounds: runs.length };
}

function printTable(results) {
  const rows = [['system', 'messages/s', 'CPU µs/message', 'lost', 'rounds']];
  for (const [name, result] of Object.entries(results)) {
    rows.push([name, Math.round(result.perSecond).toLocaleString('en-US'),
      result.cpuUs.toFixed(2), String(result.lost), String(result.rounds)]);
  }
  for (const row of rows) console.log(row.map((cell, index) => (index === 0
    ? cell.padEnd(26) : cell.padStart(15))).join(''));
}

function printTargets(results) {
  const ours = results.logharbor.perSecond;
  console.log(`\nlogharbor ${Math.round(ours).toLocaleString('en-US')}/s against the target ` +
    `${TARGETS.perSecond.toLocaleString('en-US')}/s: ` +
    `${ours >= TARGETS.perSecond ? 'met' : 'NOT met'}`);
  if (results.rsyslog === undefined) return;
  const ratio = ours / results.rsyslog.perSecond;
  console.log(`logharbor / rsyslog dynafile: ${ratio.toFixed(2)}x (target ` +
    `${TARGETS.rsyslogRatio}x: ${ratio >= TARGETS.rsyslogRatio ? 'met' : 'NOT met'})`);
}

async function runRound(group, { system, round, tools }) {
  const dir = mkdtempSync(join(tmpdir(), `lh-bench-archive-${system}-`));
  try {
    return await runLoad({ group, dir, scenario: SCENARIO, system, round, tools,
      server: null, warmup: WARMUP, logharborArgs: EXTRA });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(group) {
  const rsyslog = peerTools('rsyslog', { mysql: false });
  const systems = rsyslog === null ? ['logharbor'] : ['logharbor', 'rsyslog'];
  if (rsyslog === null) console.log('rsyslog not available: measuring logharbor alone');
  const runs = Object.fromEntries(systems.map((name) => [name, []]));
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const system of systems) {
      const run = await runRound(group, { system, round, tools: { rsyslog } });
      runs[system].push(run);
      console.log(`round ${round} ${system}: ${Math.round(run.perSecond)}/s, ` +
        `${((run.cpuSeconds * 1e6) / run.arrived).toFixed(2)} µs/message, ` +
        `lost ${run.sent - run.arrived}`);
    }
  }

  const results = Object.fromEntries(Object.entries(runs).map(([name, list]) =>
    [name, summarize(list)]));
  console.log(`\n${MESSAGES.toLocaleString('en-US')} messages, ${HOSTS} hosts, ` +
    `${CONNECTIONS} TCP connections, medians of ${ROUNDS} rounds\n`);
  printTable(results);
  printTargets(results);
}

const group = new ProcessGroup();
group.closeOnSignals();
try {
  await main(group);
} finally {
  await group.close();
}
