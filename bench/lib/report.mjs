// The runner's results: the runs of each system in each scenario folded into medians, and the
// table printed at the end of `npm run bench` (Markdown, so it pastes into the README as is).

const FIGURES = ['perSecond', 'offeredPerSecond', 'lost', 'cpuSeconds', 'cpuUsPerMessage',
  'dbCpuSeconds', 'peakRssBytes', 'peakSpoolRecords', 'backlogAtRestart', 'drainPerSecond',
  'catchUpSeconds', 'files', 'zeroLossRate'];

/** One row per scenario and system, in the order they ran: medians of the rounds. */
export function summarize(runs) {
  const groups = new Map();
  for (const run of runs) {
    const key = `${run.scenario}\u0000${run.system}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(run);
  }
  return [...groups.values()].map(summaryRow);
}

function summaryRow(runs) {
  const measured = runs.filter((run) => run.error === undefined).map(withDerived);
  const row = { scenario: runs[0].scenario, system: runs[0].system,
    writes: measured[0]?.writes ?? null, rounds: measured.length,
    failed: runs.length - measured.length, sent: measured[0]?.sent ?? null };
  for (const figure of FIGURES) row[figure] = median(measured.map((run) => run[figure]));
  const rates = measured.map((run) => run.perSecond).filter(isNumber);
  row.perSecondRange = rates.length > 1 ? [Math.min(...rates), Math.max(...rates)] : null;
  if (measured[0]?.searchSteps !== undefined) row.searchSteps = measured[0].searchSteps;
  row.errors = runs.filter((run) => run.error !== undefined).map((run) => run.error);
  return row;
}

function withDerived(run) {
  const lost = run.sent - run.arrived;
  const cpuUsPerMessage = isNumber(run.cpuSeconds) && run.arrived > 0
    ? (run.cpuSeconds * 1e6) / run.arrived : null;
  return { ...run, lost, cpuUsPerMessage };
}

function median(values) {
  const numbers = values.filter(isNumber).sort((left, right) => left - right);
  if (numbers.length === 0) return null;
  const middle = Math.floor(numbers.length / 2);
  return numbers.length % 2 === 1 ? numbers[middle]
    : (numbers[middle - 1] + numbers[middle]) / 2;
}

const isNumber = (value) => typeof value === 'number' && Number.isFinite(value);

const COLUMNS = [
  ['scenario', (row) => row.scenario],
  ['system', (row) => row.system],
  ['writes', (row) => row.writes ?? '-'],
  ['msg/s', (row) => rate(row)],
  ['sent/s', (row) => thousands(row.offeredPerSecond)],
  ['lost', (row) => lost(row)],
  ['CPU s', (row) => fixed(row.cpuSeconds, 2)],
  ['CPU µs/msg', (row) => fixed(row.cpuUsPerMessage, 1)],
  ['DB CPU s', (row) => fixed(row.dbCpuSeconds, 2)],
  ['peak RSS MB', (row) => fixed(row.peakRssBytes === null ? null : row.peakRssBytes / 2 ** 20,
    0)],
  ['runs', (row) => (row.failed > 0 ? `${row.rounds} (+${row.failed} failed)` : row.rounds)],
];

/** The summary as a Markdown table, and a line per outage run with its spool figures. */
export function formatTable(summary) {
  const lines = [`| ${COLUMNS.map(([name]) => name).join(' | ')} |`,
    `|${COLUMNS.map(() => '---').join('|')}|`,
    ...summary.map((row) => `| ${COLUMNS.map(([, cell]) => cell(row)).join(' | ')} |`)];
  for (const row of summary.filter((entry) => isNumber(entry.drainPerSecond))) {
    const spool = row.peakSpoolRecords === null ? 'its own disk queue'
      : `spool peak ${row.peakSpoolRecords.toLocaleString('en-US')} rows`;
    lines.push('', `${row.scenario} ${row.system}: ${spool}; backlog when MariaDB was back ` +
      `${row.backlogAtRestart?.toLocaleString('en-US')} rows; drained at ` +
      `${thousands(row.drainPerSecond)} rows/s (with the live load), caught up in ` +
      `${fixed(row.catchUpSeconds, 1)} s`);
  }
  for (const row of summary.filter((entry) => entry.errors.length > 0)) {
    lines.push('', `${row.scenario} ${row.system}: ${row.errors.length} failed: ` +
      row.errors.join('; '));
  }
  for (const row of summary.filter((entry) => entry.searchSteps !== undefined)) {
    lines.push('', `${row.scenario} ${row.system}: highest zero-loss rate ` +
      `${row.zeroLossRate === null ? 'none (lost messages at the lowest rate)'
        : `${thousands(row.zeroLossRate)}/s`}; tried ${row.searchSteps.map((step) =>
        `${thousands(step.rate)}/s ${step.lost === 0 ? 'ok' : `lost ${lostShare(step)}`}`)
        .join(', ')}`);
  }
  return lines.join('\n');
}

const lostShare = (step) => `${((100 * step.lost) / step.sent).toFixed(2)}%`;

function rate(row) {
  if (!isNumber(row.perSecond)) return '-';
  const range = row.perSecondRange === null ? ''
    : ` (${thousands(row.perSecondRange[0])}–${thousands(row.perSecondRange[1])})`;
  return `${thousands(row.perSecond)}${range}`;
}

function lost(row) {
  if (!isNumber(row.lost) || row.sent === null) return '-';
  if (row.lost === 0) return '0';
  return `${row.lost.toLocaleString('en-US')} (${((100 * row.lost) / row.sent).toFixed(2)}%)`;
}

const fixed = (value, digits) => (isNumber(value) ? value.toFixed(digits) : '-');
const thousands = (value) => (isNumber(value) ? `${(value / 1000).toFixed(1)}k` : '-');
