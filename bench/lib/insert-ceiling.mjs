// The mysql2 insert ceiling as a run of the SQL scenario: bench/sql-ceiling.mjs, in a process
// of its own, inserts the rows logharbor would store for the scenario's messages as multi-row
// INSERTs into the run's fresh `logs` table. No syslog, no parsing, no archive: what MariaDB
// takes from Node at best on this machine, which logharbor's end-to-end rate is held against.
import { fileURLToPath } from 'node:url';
import { once } from './processes.mjs';

const CEILING = fileURLToPath(new URL('../sql-ceiling.mjs', import.meta.url));

/** Runs the ceiling for `run.scenario.count` rows; resolves with the runner's figures. */
export async function runInsertCeiling(run) {
  const { group, server, database, scenario } = run;
  const dbCpu = server.cpuSeconds();
  const child = group.spawn(process.execPath, [CEILING, '--url', server.url(database),
    '--rows', String(scenario.count)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk) => { output += chunk; });
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`sql-ceiling.mjs exited with ${code}`);
  const figures = JSON.parse(output);
  const dbCpuEnd = server.cpuSeconds();
  return {
    scenario: scenario.id, system: 'mysql2', round: run.round,
    writes: 'mariadb, 1000-row INSERTs', sent: figures.rows, arrived: figures.count,
    counts: { rows: figures.count }, seconds: figures.seconds,
    perSecond: figures.count / figures.seconds, offeredPerSecond: null,
    cpuSeconds: figures.cpuSeconds,
    dbCpuSeconds: dbCpu === null || dbCpuEnd === null ? null : dbCpuEnd - dbCpu,
    peakRssBytes: figures.peakRssBytes ?? null,
  };
}
