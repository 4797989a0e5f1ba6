/**
 * The SQLite writer thread: rows and the checkpoint in one transaction, SQLite's own error
 * code when it refuses a row (nothing of the batch is kept then), and a clear rejection once
 * the thread has ended.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t, { type Test } from 'tap';
import { ROW_COLUMNS, RowMapper } from '../../src/sinks/row.js';
import { connect } from '../../src/sinks/sql/database.js';
import { parseDatabaseUrl } from '../../src/sinks/sql/database-url.js';
import { migrateLatest } from '../../src/sinks/sql/migrations.js';
import { SqliteWriter } from '../../src/sinks/sql/sqlite-writer.js';
import { ZoneClock } from '../../src/zone-clock.js';
import { removeDir, sqliteRows, tempDir } from '../helpers/collector.js';
import { logRecord } from '../helpers/sql-runner-harness.js';

const mapper = new RowMapper({ clock: new ZoneClock('UTC'), hostFrom: 'header' });
const CHECKPOINT = ['test', 7, 'segment-1', 120, '2026-12-03 19:20:00.000'];

async function migratedFile(t: Test): Promise<string> {
  const dir = tempDir();
  t.teardown(() => removeDir(dir));
  const file = join(dir, 'logs.sqlite');
  const connection = connect(parseDatabaseUrl(`sqlite:${file}`), null);
  await migrateLatest(connection.knex);
  await connection.knex.destroy();
  return file;
}

function bindings(messages: string[]): unknown[] {
  return messages.flatMap((message) => {
    const row = mapper.toRow(logRecord(message));
    return ROW_COLUMNS.map((column) => row[column]);
  });
}

function checkpointOf(file: string): unknown {
  const database = new Database(file, { readonly: true });
  try {
    return database.prepare('select instance, batch_seq, spool_segment, spool_offset ' +
      'from logharbor_checkpoint').all();
  } finally {
    database.close();
  }
}

t.test('a commit stores every chunk in order and the checkpoint with them', async (t) => {
  const file = await migratedFile(t);
  const writer = new SqliteWriter(file);
  t.teardown(() => writer.close());

  await writer.commit([bindings(['one', 'two']), bindings(['three'])], CHECKPOINT);
  t.same(sqliteRows(file).map((row) => row.msg), ['one', 'two', 'three']);
  t.same(checkpointOf(file), [{ instance: 'test', batch_seq: 7, spool_segment: 'segment-1',
    spool_offset: 120 }]);
});

t.test('a refused row fails the whole commit with SQLite\'s own code', async (t) => {
  const file = await migratedFile(t);
  const database = new Database(file);
  database.exec("create trigger refuse before insert on logs when new.msg = 'bad' " +
    "begin select raise(abort, 'refused by trigger'); end");
  database.close();
  const writer = new SqliteWriter(file);
  t.teardown(() => writer.close());

  await t.rejects(writer.commit([bindings(['good', 'bad'])], CHECKPOINT),
    { code: 'SQLITE_CONSTRAINT_TRIGGER', message: 'refused by trigger' });
  t.same(sqliteRows(file), [], 'the good row was rolled back with the bad one');
  t.same(checkpointOf(file), []);
});

t.test('a commit after close is rejected as a lost writer', async (t) => {
  const file = await migratedFile(t);
  const writer = new SqliteWriter(file);
  await writer.close();
  await writer.close();
  await t.rejects(writer.commit([bindings(['late'])], CHECKPOINT),
    { code: 'LH_SQLITE_WRITER', message: 'The SQLite writer was closed' });
});
