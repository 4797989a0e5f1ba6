/**
 * The same messages stored through SQLite, MariaDB and PostgreSQL give identical column
 * values: the public corpus's datagrams plus hand-made edge cases (4-byte UTF-8, a NUL,
 * invalid UTF-8, a host longer than its column).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import {
  fetchJson, sendTcp, sendUdp, sqliteRows, startCollector, waitFor, type Row,
} from '../helpers/collector.js';
import { createTestDatabase, MYSQL_SKIP } from '../helpers/mysql.js';
import { createPgDatabase, PG_SKIP } from '../helpers/postgres.js';

const COLUMNS = ['host', 'facility', 'priority', 'level', 'tag', 'datetime', 'program', 'msg',
  'source_ip', 'facility_num', 'severity_num', 'pid', 'msgid', 'sd', 'fields', 'format'];

const EDGE_CASES = [
  '<34>Oct 11 22:14:15 mymachine su: \'su root\' failed for lonvick on /dev/pts/8',
  '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 ' +
    '[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] ' +
    '\uFEFFAn application event log entry été 😀',
  Buffer.from('<14>Dec  3 19:11:24 host1 app: nul\x00 and caf\xe9', 'latin1'),
  `<14>Dec  3 19:11:16 ${'x'.repeat(300)} app: long host`,
];

/** Every datagram case of the public corpus, in file order. */
function corpusDatagrams(): Buffer[] {
  const url = new URL('../fixtures/corpus-public.jsonl', import.meta.url);
  return readFileSync(url, 'utf8').split('\n').filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { transport: string; raw_b64: string })
    .filter((corpusCase) => corpusCase.transport === 'udp')
    .map((corpusCase) => Buffer.from(corpusCase.raw_b64, 'base64'));
}

const MESSAGES: Array<string | Buffer> = [...EDGE_CASES, ...corpusDatagrams()];

function normalized(row: Row): Row {
  const picked = Object.fromEntries(COLUMNS.map((column) => [column, row[column]]));
  for (const column of ['sd', 'fields']) {
    const value = picked[column];
    if (typeof value === 'string') picked[column] = JSON.parse(value);
  }
  // A message without a usable stamp is dated when it arrived, which differs between runs.
  if (picked.datetime === String(row.received_at).slice(0, 19)) picked.datetime = 'received';
  return picked;
}

interface Engine {
  db: string | null;
  rows(dir: string): Promise<Row[]>;
}

/** Sends every message, one datagram at a time so none meets a full socket buffer. */
async function storeAll(t: Test, engine: Engine): Promise<{ rows: Row[]; stored: number }> {
  const collector = await startCollector({ args: engine.db === null ? [] : ['--db', engine.db] });
  t.teardown(collector.cleanup);
  for (const message of MESSAGES) await sendUdp(collector.udpPort, [message]);
  await sendTcp(collector.tcpPort, ['<13>Dec  3 19:20:00 host1 app[42]: over tcp\n']);
  const counters = async (): Promise<Row> => (await fetchJson(collector.httpPort,
    '/stats.json')).body;
  await waitFor(async () => {
    const now = await counters();
    // An empty datagram is no message: it is counted as dropped_empty, not as received.
    return Number(now.received) + Number(now.dropped_empty) === MESSAGES.length + 1 &&
      now.stored_sql === now.received;
  });
  const stored = Number((await counters()).stored_sql);
  t.equal(await collector.stop(), 0);
  const rows = (await engine.rows(collector.dir)).map(normalized);
  // Datagrams keep their order; the TCP line may be read before the last of them.
  const tcpAt = rows.findIndex((row) => row.msg === 'over tcp');
  return { rows: [...rows.slice(0, tcpAt), ...rows.slice(tcpAt + 1), rows[tcpAt]], stored };
}

const sqlite: Engine = { db: null,
  rows: async (dir) => sqliteRows(join(dir, 'logs.sqlite')) };

t.test('SQLite rows hold the exact values of the edge cases', async (t) => {
  const { rows, stored } = await storeAll(t, sqlite);
  t.equal(rows.length, stored);
  t.ok(stored >= MESSAGES.length - 2, 'at most the empty corpus datagrams are not rows');
  t.equal(rows[1].msg, 'An application event log entry été 😀', '4-byte UTF-8 kept');
  t.equal(rows[2].msg, 'nul\uFFFD and café', 'NUL replaced, Latin-1 byte decoded');
  t.equal(String(rows[3].host).length, 255);
  t.same(rows[3].fields, { truncated: ['host'] });
  const overTcp = rows[rows.length - 1];
  t.match(overTcp.datetime, /^\d{4}-12-03 19:20:00$/, 'stamp read in --timezone UTC');
  t.same(overTcp, { host: 'host1', facility: 'user',
    priority: 'notice', level: 'notice', tag: '0d', datetime: overTcp.datetime,
    program: 'app',
    msg: 'over tcp', source_ip: '127.0.0.1', facility_num: 1, severity_num: 5, pid: '42',
    msgid: null, sd: null, fields: null, format: 'rfc3164' });
});

const SERVERS = [
  { name: 'MariaDB', skip: MYSQL_SKIP, create: createTestDatabase },
  { name: 'PostgreSQL', skip: PG_SKIP, create: createPgDatabase },
];

for (const server of SERVERS) {
  t.test(`${server.name} stores what SQLite stores, column for column`, { skip: server.skip },
    async (t) => {
      const database = await server.create();
      t.teardown(() => database.drop());
      const expected = await storeAll(t, sqlite);
      const actual = await storeAll(t, { db: database.url,
        rows: () => database.query('select * from logs order by seq') });
      t.equal(actual.rows.length, expected.rows.length);
      t.same(actual.rows, expected.rows, 'identical column values');
    });
}
