// Fails `npm test` when coverage of the sources falls below the floor the README states.
// tap writes the summary (its json-summary reporter) after every run that collected coverage.
import { existsSync, readFileSync } from 'node:fs';

const FLOOR = { lines: 95, branches: 90 };
const SUMMARY = new URL('../.tap/report/coverage-summary.json', import.meta.url);

if (!existsSync(SUMMARY)) {
  process.stderr.write('coverage floor: no .tap/report/coverage-summary.json (run npm test)\n');
  process.exit(1);
}
const total = JSON.parse(readFileSync(SUMMARY, 'utf8')).total;
const low = Object.entries(FLOOR).filter(([kind, floor]) => total[kind].pct < floor);
for (const [kind, floor] of low) {
  process.stderr.write(`coverage floor: ${kind} ${total[kind].pct} % is below ${floor} %\n`);
}
process.stdout.write(`coverage: lines ${total.lines.pct} %, branches ${total.branches.pct} % ` +
  `(floor ${FLOOR.lines} % / ${FLOOR.branches} %)\n`);
process.exit(low.length === 0 ? 0 : 1);
