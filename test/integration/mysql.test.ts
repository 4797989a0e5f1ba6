/**
 * `logharbor migrate` against MariaDB/MySQL: the same migrations as SQLite give the contract's
 * column types and indexes. (Rows on every engine: sql-engines.test.ts.)
 */
import t from 'tap';
import { runCli } from '../helpers/collector.js';
import { createTestDatabase, MYSQL_SKIP } from '../helpers/mysql.js';

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
