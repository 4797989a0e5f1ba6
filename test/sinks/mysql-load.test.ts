/**
 * Rows into MariaDB as LOAD DATA LOCAL INFILE: the file's escaping, every column stored as
 * the mapper made it (bytes the format gives meaning to included), and a server with
 * `local_infile` off taking the same rows by INSERT. The fallback on warnings is covered by
 * the strict-mode test in sql-runner-servers.test.ts, which now goes through a load first.
 */
import t, { type Test } from 'tap';
import type { LogRecord } from '../../src/record.js';
import { ROW_COLUMNS, RowMapper, type LogRow } from '../../src/sinks/row.js';
import { encodeLoadFile } from '../../src/sinks/sql/mysql-load.js';
import { ZoneClock } from '../../src/zone-clock.js';
import { removeDir, tempDir } from '../helpers/collector.js';
import { logRow } from '../helpers/log-rows.js';
import { createTestDatabase, MYSQL_SKIP } from '../helpers/mysql.js';
import { PRIVATE_MARIADB_SKIP, PrivateMariaDb } from '../helpers/private-mariadb.js';
import { logRecord, settle, startRunner, type Harness } from '../helpers/sql-runner-harness.js';

t.test('the load file writes NULL as \\N and escapes backslash, TAB, LF, CR and NUL',
  async (t) => {
    const row: LogRow = { ...logRow('a\tb\nc\rd\\e\0f \\N'), program: null, severity_num: 7 };
    const fields = encodeLoadFile([row, logRow('plain')]).toString().split('\n');

    t.equal(fields.length, 3, 'two lines, each ended by LF');
    t.equal(fields[2], '');
    const first = fields[0].split('\t');
    t.equal(first.length, ROW_COLUMNS.length);
    t.equal(first[ROW_COLUMNS.indexOf('msg')], 'a\\tb\\nc\\rd\\\\e\\0f \\\\N');
    t.equal(first[ROW_COLUMNS.indexOf('program')], '\\N');
    t.equal(first[ROW_COLUMNS.indexOf('severity_num')], '7');
    t.equal(fields[1].split('\t')[ROW_COLUMNS.indexOf('msg')], 'plain');
  });

/** Records whose every text column holds something the load file's format gives meaning to. */
function awkwardRecords(): LogRecord[] {
  return [
    logRecord('tab\there, LF\nthere, CR\rand a backslash \\ at the end \\'),
    logRecord('\\N', { appName: null, hostname: 'h\\N' }),
    logRecord('', { procId: '12\t34', msgId: 'ID\\47' }),
    logRecord('Grüße aus Köln 😀 \\t literally', { appName: 'prog\nram' }),
    logRecord('with structured data', { format: 'rfc5424', structuredData:
      { 'x@1': { quote: 'say "hi"\t', path: 'C:\\Windows\\' } },
    fields: { note: 'tab\tand LF\n' } }),
  ];
}

const MAPPER = new RowMapper({ clock: new ZoneClock('UTC'), hostFrom: 'header' });

/** Stores awkwardRecords() in batches of two (three batches). */
async function storeAwkwardRecords(t: Test, db: string): Promise<Harness> {
  const dir = tempDir();
  t.teardown(() => removeDir(dir));
  const harness = await startRunner({ db, dir, batchSize: 2 });
  harness.enqueue(awkwardRecords());
  await settle(harness);
  t.equal(harness.stats.storedSql, awkwardRecords().length);
  return harness;
}

type Query = (sql: string) => Promise<Array<Record<string, unknown>>>;

/** The JSON columns come back parsed (MariaDB declares them JSON), the rest as text. */
async function assertStoredExactly(t: Test, query: Query): Promise<void> {
  const stored = await query(`select ${ROW_COLUMNS.map((column) => `\`${column}\``)
    .join(', ')} from logs order by seq`);
  const expected = awkwardRecords().map((record) => MAPPER.toRow(record)).map((row) => ({
    ...row, sd: row.sd === null ? null : JSON.parse(row.sd),
    fields: row.fields === null ? null : JSON.parse(row.fields) }));
  t.strictSame(stored.map((row) => ({ ...row })), expected);
}

t.test('MariaDB: a batch loaded as a file stores every column exactly as mapped',
  { skip: MYSQL_SKIP }, async (t) => {
    const database = await createTestDatabase();
    t.teardown(() => database.drop());
    const harness = await storeAwkwardRecords(t, database.url);

    t.equal(harness.sink.loadedBatches, 3, 'every batch went by LOAD DATA, none by INSERT');
    await assertStoredExactly(t, (sql) => database.query(sql));
  });

t.test('MariaDB with local_infile off: the refused load is logged once and INSERT stores ' +
  'the same rows', { skip: MYSQL_SKIP || PRIVATE_MARIADB_SKIP }, async (t) => {
  const server = await PrivateMariaDb.create({ serverArgs: ['--local-infile=0'] });
  t.teardown(() => server.destroy());
  await server.query('create database logs_test character set utf8mb4');
  const harness = await storeAwkwardRecords(t, server.url('logs_test'));

  t.equal(harness.sink.loadedBatches, 0, 'every batch went by INSERT');
  const refusals = harness.events.filter((event) =>
    event.msg === 'LOAD DATA LOCAL INFILE refused by the server, rows go by INSERT');
  t.same(refusals.map((event) => event.errno), [4166]);
  await assertStoredExactly(t, (sql) => server.query(sql.replace('from logs',
    'from logs_test.logs')));
});
