// What MariaDB takes from Node at best, on logharbor's own `logs` table: the rows logharbor
// would store for the benchmark's messages, sent through mysql2 as multi-row INSERTs of
// --batch rows, autocommitted, over one connection. No syslog, no parsing, no archive: the
// figure logharbor's end-to-end rate is held against. Run by bench/sql.mjs in a process of
// its own (and by bench/run.mjs); prints one JSON line:
// {"rows":…, "seconds":…, "count":…, "cpuSeconds":…, "peakRssBytes":…}.
//
//   node bench/sql-ceiling.mjs --url mysql://USER:PASS@HOST:PORT/DB --rows N [--batch 1000]
import mysql from 'mysql2/promise';
import { messageRow, ROW_COLUMNS } from './lib/workload.mjs';

const args = parseArgs(process.argv.slice(2));
const url = new URL(args.url);
const rows = Number(args.rows ?? 500_000);
const batch = Number(args.batch ?? 1000);
const stampMs = Date.now();

const connection = await mysql.createConnection({
  host: url.hostname, port: Number(url.port || 3306), user: decodeURIComponent(url.username),
  password: decodeURIComponent(url.password), database: url.pathname.slice(1),
  charset: 'utf8mb4',
});
const insert = `insert into logs (${ROW_COLUMNS.join(', ')}) values ?`;

const started = process.hrtime.bigint();
const cpu = process.cpuUsage();
for (let from = 0; from < rows; from += batch) {
  const values = [];
  for (let index = from; index < Math.min(rows, from + batch); index += 1) {
    values.push(messageRow(index, 'ceiling', stampMs));
  }
  await connection.query(insert, [values]);
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const { user, system } = process.cpuUsage(cpu);

const [[{ count }]] = await connection.query('select count(*) as count from logs');
await connection.end();
process.stdout.write(`${JSON.stringify({ rows, seconds, count: Number(count),
  cpuSeconds: (user + system) / 1e6,
  peakRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`);

function parseArgs(list) {
  const parsed = {};
  for (let at = 0; at < list.length; at += 2) parsed[list[at].replace(/^--/, '')] = list[at + 1];
  return parsed;
}
