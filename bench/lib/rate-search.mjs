// The zero-loss rate search: the highest fixed UDP rate a system takes without losing a
// message, found by bisection. Each step is a whole measured run (bench/lib/measured-run.mjs)
// of `seconds` at one rate, on a freshly started system, so a step that lost messages leaves
// nothing behind for the next. The first step tries `fromRate`; while a step keeps everything
// the rate doubles (up to `toRate`), and once one has lost messages the next rates are the
// geometric middle of the highest clean rate and the lowest lossy one, `steps` runs in all.
//
// The result is the run at the highest clean rate, with `zeroLossRate` (what the load
// generator really offered in that run) and `searchSteps`, every rate tried and its loss;
// `zeroLossRate` is null when even `fromRate` lost messages.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runLoad } from './measured-run.mjs';
import { log } from './processes.mjs';

export async function runRateSearch(run) {
  const { fromRate, toRate, seconds, steps } = run.scenario.search;
  const tried = [];
  let clean = null;
  let lossyRate = null;

  for (let step = 0, rate = fromRate; step < steps && rate !== null; step += 1) {
    const result = await runAtRate(run, rate, seconds);
    const lost = result.sent - result.arrived;
    tried.push({ rate, offeredPerSecond: result.offeredPerSecond, lost, sent: result.sent });
    log(`${run.scenario.id} ${run.system}: ${rate}/s asked, ` +
      `${Math.round(result.offeredPerSecond)}/s offered, lost ${lost}`);
    if (lost === 0) clean = { rate, result };
    else lossyRate = rate;
    rate = nextRate({ cleanRate: clean?.rate ?? null, lossyRate, fromRate, toRate });
  }
  const best = clean?.result ?? null;
  return { ...(best ?? emptyResult(run)), zeroLossRate: best?.offeredPerSecond ?? null,
    searchSteps: tried };
}

/** Doubles while nothing was lost, then bisects; null once the answer is within 5 %. */
export function nextRate({ cleanRate, lossyRate, fromRate, toRate }) {
  if (lossyRate === null) {
    if (cleanRate === null) return fromRate;
    return cleanRate >= toRate ? null : Math.min(toRate, cleanRate * 2);
  }
  if (cleanRate === null) return lossyRate <= fromRate ? null : fromRate;
  if (lossyRate / cleanRate <= 1.05) return null;
  return Math.round(Math.sqrt(cleanRate * lossyRate) / 500) * 500;
}

/** One step, in a directory of its own: nothing a step before wrote is counted again. */
async function runAtRate(run, rate, seconds) {
  const scenario = { ...run.scenario, rate, count: Math.round(rate * seconds) };
  const dir = mkdtempSync(join(run.dir, `rate-${rate}-`));
  try {
    return await runLoad({ ...run, dir, scenario });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What the report shows for a system that lost messages even at the lowest rate. */
function emptyResult(run) {
  return { scenario: run.scenario.id, system: run.system, round: run.round, writes: null,
    sent: null, arrived: null, perSecond: null, offeredPerSecond: null, cpuSeconds: null,
    dbCpuSeconds: null, peakRssBytes: null };
}
