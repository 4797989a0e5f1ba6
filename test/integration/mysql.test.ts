/**
 * The collector writing into MariaDB/MySQL through the same migrations as SQLite.
 */
import { join } from 'node:path';
import t from 'tap';
import {
  fetchJson, runCli, sendTcp, sendUdp, sqliteRows, startCollector, waitFor,
} from '../helpers/collector.js';
import { createTestDatabase, MYSQL_SKIP } from '../helpers/mysql.js';

const COLUMNS = ['host', 'facility', 'priority', 'level', 'tag', 'datetime', 'program', 'msg',
  'source_ip', 'facility_num', 'severity_num', 'pid', 'msgid', 'sd', 'fields', 'format'];

const MESSAGES = [
  '<34>Oct 11 22:14:15 mymachine su: \'su root\' failed for lonvick on /dev/pts/8',
  '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 ' +
    '[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] ' +
    '\uFEFFAn application event log entry été 😀',
  Buffer.from('<14>Dec  3 19:11:24 host1 app: nul\x00 and caf\xe9', 'latin1'),
  `<14>Dec  3 19:11:16 ${'x'.repeat(300)} app: long host`,
];

function normalized(row: Record<string, unknown>): Record<string, unknown> {
  const picked = Object.fromEntries(COLUMNS.map((column) => [column, row[column]]));
  for (const column of ['sd', 'fields']) {
    const value = picked[column];
    if (typeof value === 'string') picked[column] = JSON.parse(value);
  }
  return picked;
}

t.test('the same messages give identical rows in MariaDB and in SQLite', { skip: MYSQL_SKIP },
  async (t) => {
    const database = await createTestDatabase();
    t.teardown(() => database.drop());

    const stored: Array<Array<Record<string, unknown>>> = [];
    for (const db of [database.url, null]) {
      const collector = await startCollector({ args: db === null ? [] : ['--db', db] });
      t.teardown(collector.cleanup);
      for (const message of MESSAGES) await sendUdp(collector.udpPort, [message]);
      await sendTcp(collector.tcpPort, ['<13>Dec  3 19:20:00 host1 app[42]: over tcp\n']);
      await waitFor(async () => (await fetchJson(collector.httpPort, '/stats.json'))
        .body.stored_sql === MESSAGES.length + 1);
      t.equal(await collector.stop(), 0);
      stored.push(db === null
        ? sqliteRows(join(collector.dir, 'logs.sqlite')).map(normalized)
        : (await database.query('select * from logs order by seq')).map(normalized));
    }

    const [mysqlRows, sqliteRowsStored] = stored;
    t.same(mysqlRows, sqliteRowsStored, 'identical column values');
    t.equal(mysqlRows.length, 5);
    t.equal(mysqlRows[1].msg, 'An application event log entry été 😀', 'utf8mb4');
    t.equal(mysqlRows[2].msg, 'nul\uFFFD and café');
    t.equal(String(mysqlRows[3].host).length, 255);
    t.same(mysqlRows[3].fields, { truncated: ['host'] });
  });

t.test('logharbor migrate creates the MariaDB schema with the contract columns',
  { skip: MYSQL_SKIP }, async (t) => {
    const database = await createTestDatabase();
    t.teardown(() => database.drop());

    const result = await runCli(['migrate', '--db', database.url]);
    t.same([result.code, result.stdout, result.stderr], [0, 'Applied migrations: ' +
      '20261203000000_create_logs, 20261203000001_create_checkpoint\n', '']);
    const columns = await database.query<{ COLUMN_NAME: string; COLUMN_TYPE: string }>(
      'select column_name as COLUMN_NAME, column_type as COLUMN_TYPE from ' +
      'information_schema.columns where table_schema = database() and table_name = ? ' +
      'order by ordinal_position', ['logs']);
    t.same(columns.map((column) => `${column.COLUMN_NAME} ${column.COLUMN_TYPE}`), [
      'seq bigint(20) unsigned', 'host varchar(255)', 'facility varchar(12)',
      'priority varchar(10)', 'level varchar(10)', 'tag varchar(10)', 'datetime datetime',
      'program varchar(255)', 'msg mediumtext', 'received_at datetime(3)',
      'source_ip varchar(45)', 'facility_num tinyint(3) unsigned',
      'severity_num tinyint(3) unsigned', 'pid varchar(128)', 'msgid varchar(32)',
      'sd longtext', 'fields longtext', 'format varchar(16)',
    ]);
    const indexes = await database.query<{ name: string }>(
      'select distinct index_name as name from information_schema.statistics where ' +
      'table_schema = database() and table_name = ? order by index_name', ['logs']);
    t.same(indexes.map((index) => index.name), ['logs_datetime', 'logs_host_datetime',
      'logs_program_datetime', 'logs_severity_datetime', 'PRIMARY']);
  });
