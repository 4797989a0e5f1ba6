// One measured run of a system in a scenario: start it, send a warm-up and wait for it, send
// the measured load, wait until every output has drained, count, stop. The figures are those
// bench/run.mjs describes; CPU is counted from after the warm-up to the end of the drain.
import { Load } from './load.mjs';
import { drain } from './outputs.mjs';
import { cpuSeconds, peakRssBytes } from './processes.mjs';
import { SYSTEMS } from './systems.mjs';

/** A UDP warm-up slow enough that no system loses any of it. */
const WARMUP_UDP_RATE = 10_000;
/**
 * A TCP warm-up comes over up to this many connections, as many as the load will use: each
 * goes to one of logharbor's parse threads, and a thread that saw none of the warm-up would
 * compile its code inside the measured run.
 */
const WARMUP_CONNECTIONS = 4;
/** How long outputs may stand still, once sending is over, before the run is called done. */
export const IDLE_MS = { udp: 2_000, tcp: 10_000 };

/** One measured run: start, warm up, send, drain, count, stop. */
export async function runLoad(run) {
  const { scenario, system } = run;
  const server = databaseOf(run);
  const instance = await SYSTEMS[system].start(run.group, { ...run,
    messages: scenario.count + run.warmup });
  try {
    const baseline = await warmUp(run, instance);
    const cpu = { system: cpuSeconds(instance.pid), db: server?.cpuSeconds() ?? null };
    const load = await Load.prepare(loadSpec(scenario, { port: instance.port,
      count: scenario.count, run: `r${run.round}` }));
    const sending = load.go();
    const figures = await drain(instance.outputs, { sent: sending,
      targets: baseline.map((count) => count + scenario.count),
      idleMs: IDLE_MS[scenario.transport] });
    const sent = await sending;
    await load.close();
    return result(run, { instance, sent, cpu, figures, baseline });
  } finally {
    await instance.stop();
  }
}

/** Sends the warm-up and waits for it; resolves with each output's count after it. */
export async function warmUp(run, instance) {
  const { scenario } = run;
  const connections = Math.min(WARMUP_CONNECTIONS, scenario.connections ?? 1);
  const load = await Load.prepare(loadSpec(scenario, { port: instance.port, count: run.warmup,
    run: 'warm', connections, hosts: Math.min(scenario.hosts, 50),
    rate: scenario.transport === 'udp' ? WARMUP_UDP_RATE : 0 }));
  const sending = load.go();
  const figures = await drain(instance.outputs, { sent: sending,
    targets: instance.outputs.map(() => run.warmup), idleMs: IDLE_MS.udp });
  await sending;
  await load.close();
  return figures.map((figure) => figure.count);
}

export function loadSpec(scenario, overrides) {
  return { transport: scenario.transport, rate: scenario.rate, connections: scenario.connections,
    framing: scenario.framing, mix: scenario.mix, hosts: scenario.hosts, stampMs: Date.now(),
    ...overrides };
}

export function result(run, { instance, sent, cpu, figures, baseline }) {
  const { scenario, system } = run;
  const server = databaseOf(run);
  const counts = figures.map((figure, index) => figure.count - baseline[index]);
  const arrived = Math.min(...counts);
  const endAt = Math.max(...figures.map((figure) => figure.lastAt));
  const seconds = arrived > 0 ? (endAt - sent.firstAt) / 1000 : null;
  const systemCpu = cpuSeconds(instance.pid);
  const dbCpu = server?.cpuSeconds() ?? null;
  return {
    scenario: scenario.id, system, round: run.round, writes: SYSTEMS[system].writes(scenario),
    sent: sent.sent, arrived,
    counts: Object.fromEntries(instance.outputs.map((output, index) =>
      [output.name, counts[index]])),
    seconds, perSecond: seconds > 0 ? arrived / seconds : null,
    offeredPerSecond: sent.sent / Math.max(0.001, (sent.lastAt - sent.firstAt) / 1000),
    cpuSeconds: difference(systemCpu, cpu.system),
    dbCpuSeconds: difference(dbCpu, cpu.db),
    peakRssBytes: peakRssBytes(instance.pid),
    files: instance.outputs.find((output) => output.files !== undefined)?.files,
  };
}

/** The MariaDB whose CPU counts for this run: none when the scenario does not write to it. */
const databaseOf = (run) => (run.scenario.sql === 'mariadb' ? run.server : null);

const difference = (end, start) => (end === null || start === null ? null : end - start);

