// The database outage scenario: a system takes TCP at a fixed rate into the archive and
// MariaDB; `beforeS` seconds in, the private MariaDB is SIGKILLed (a crash, no clean
// shutdown), and `downS` seconds later started again on the same data directory, while the
// load goes on for `afterS` more seconds. Measured on top of a normal run: the spool's peak
// (from /stats.json), the backlog when MariaDB answered again, and the drain rate, the rows
// per second committed from then until the table caught up with what had been sent.
import { setTimeout as sleep } from 'node:timers/promises';
import { Load } from './load.mjs';
import { IDLE_MS, loadSpec, result, warmUp } from './measured-run.mjs';
import { drain, MariadbOutput } from './outputs.mjs';
import { cpuSeconds, log, rssBytes } from './processes.mjs';
import { SYSTEMS } from './systems.mjs';

const SAMPLE_MS = 250;
/** Rows still on their way (a batch, a flush interval) when the table counts as caught up. */
const IN_FLIGHT_SECONDS = 0.5;
const CATCH_UP_LIMIT_MS = 600_000;

export async function runOutage(run) {
  const { scenario, server, database } = run;
  if (server.kill === undefined) throw new Error('the outage scenario needs the private MariaDB');
  const instance = await SYSTEMS[run.system].start(run.group, { ...run,
    messages: scenario.count + run.warmup });
  try {
    const baseline = await warmUp(run, instance);
    const cpu = { system: cpuSeconds(instance.pid), db: server.cpuSeconds() };
    const load = await Load.prepare(loadSpec(scenario, { port: instance.port,
      count: scenario.count, run: `r${run.round}` }));
    const table = new MariadbOutput(server, database);
    const watch = watchSpool(instance);
    // A failed run (the system died) must not leave the load, the sampler or the table's
    // connection behind: they would keep the runner from ever exiting.
    try {
      const sending = load.go();
      const firstAt = Date.now();
      const drainFigures = await outageAndDrain({ run, instance, table, firstAt,
        baseline: baseline.at(-1) });
      const figures = await drain(instance.outputs, { sent: sending,
        targets: baseline.map((count) => count + scenario.count), idleMs: IDLE_MS.tcp });
      const sent = await sending;
      return { ...result(run, { instance, sent, cpu, figures, baseline }), ...drainFigures,
        ...watch.stop() };
    } finally {
      watch.stop();
      await load.close();
      await table.close();
    }
  } finally {
    await instance.stop();
  }
}

/** Kills and restarts MariaDB on the scenario's schedule; resolves with the drain figures. */
async function outageAndDrain({ run, instance, table, firstAt, baseline }) {
  const { beforeS, downS } = run.scenario.outage;
  const rate = run.scenario.rate;
  await sleep(beforeS * 1000);
  log(`db-outage: SIGKILL mariadbd (pid ${run.server.pid})`);
  await run.server.kill();
  await sleep(downS * 1000);
  await run.server.start();
  const restartedAt = Date.now();
  const atRestart = (await table.poll()).count - baseline;
  const offered = () => Math.min(run.scenario.count, ((Date.now() - firstAt) * rate) / 1000);
  log(`db-outage: mariadbd back (pid ${run.server.pid}), ${atRestart} rows stored`);
  for (;;) {
    // A system that died cannot catch up: the run fails at once, saying how it ended (rsyslog
    // 8.2302's ommysql was seen to segfault in libmariadb after the restart).
    const ended = instance.ended();
    if (ended !== null) throw new Error(`${run.system} ended during the drain (${ended})`);
    const rows = (await table.poll()).count - baseline;
    const seconds = (Date.now() - restartedAt) / 1000;
    const caughtUp = rows >= offered() - rate * IN_FLIGHT_SECONDS;
    if (caughtUp || seconds * 1000 > CATCH_UP_LIMIT_MS) {
      return { backlogAtRestart: Math.round(offered() - atRestart),
        catchUpSeconds: caughtUp ? seconds : null, drainPerSecond: (rows - atRestart) / seconds };
    }
    await sleep(table.pollMs);
  }
}

/** Samples logharbor's spool (peers report none: null) and the resident set meanwhile. */
function watchSpool(instance) {
  const peak = { spoolRecords: null, spoolBytes: null, rssBytes: 0 };
  const timer = setInterval(async () => {
    const stats = await instance.stats();
    if (stats !== null) {
      peak.spoolRecords = Math.max(peak.spoolRecords ?? 0, stats.spool_records ?? 0);
      peak.spoolBytes = Math.max(peak.spoolBytes ?? 0, stats.spool_bytes ?? 0);
    }
    peak.rssBytes = Math.max(peak.rssBytes, rssBytes(instance.pid) ?? 0);
  }, SAMPLE_MS);
  return {
    stop() {
      clearInterval(timer);
      return { peakSpoolRecords: peak.spoolRecords, peakSpoolBytes: peak.spoolBytes };
    },
  };
}
