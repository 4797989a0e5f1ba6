/**
 * SqlRunner over a real SQLite database: a commit whose outcome is lost with the connection
 * is neither lost nor repeated, from memory and from the spool; rows the database refuses go
 * to the dead-letter file while their batch neighbours are stored.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t, { type Test } from 'tap';
import { connect } from '../../src/sinks/sql/database.js';
import { parseDatabaseUrl } from '../../src/sinks/sql/database-url.js';
import { migrateLatest } from '../../src/sinks/sql/migrations.js';
import { removeDir, sqliteRows, tempDir, waitFor } from '../helpers/collector.js';
import {
  deadLetters, settle, startRunner, texts, type Harness,
} from '../helpers/sql-runner-harness.js';

function setup(t: Test): { dir: string; db: string; file: string } {
  const dir = tempDir();
  t.teardown(() => removeDir(dir));
  const file = join(dir, 'logs.sqlite');
  return { dir, db: `sqlite:${file}`, file };
}

function messages(file: string): string[] {
  return sqliteRows(file).map((row) => String(row.msg));
}

/** The schema, made before the runner first reaches the database. */
async function migrate(db: string): Promise<void> {
  const connection = connect(parseDatabaseUrl(db), null);
  await migrateLatest(connection.knex);
  await connection.knex.destroy();
}

/** SQLite refuses any row whose message mentions poison, as a CHECK would. */
function poisonTrigger(file: string): void {
  const database = new Database(file);
  database.exec("create trigger refuse_poison before insert on logs when new.msg like " +
    "'%poison%' begin select raise(abort, 'poisoned row'); end");
  database.close();
}

async function spooled(harness: Harness, records: number): Promise<void> {
  await waitFor(() => harness.runner.gauges().spool_records >= records);
}


t.test('a memory batch that committed but whose answer was lost is stored once', async (t) => {
  const { dir, db, file } = setup(t);
  const harness = await startRunner({ db, dir });
  harness.sink.faults.push('lost-after-commit');

  harness.enqueue(texts(250));
  await settle(harness);
  t.same(messages(file), texts(250), 'each row once, in order');
  t.equal(harness.stats.storedSql, 250);
  t.ok(harness.events.some((event) => event.msg === 'sql connection lost, spooling'));
});

t.test('a memory batch lost before its commit reached the database is stored once',
  async (t) => {
    const { dir, db, file } = setup(t);
    const harness = await startRunner({ db, dir });
    harness.sink.faults.push('lost-before-commit');

    harness.enqueue(texts(250));
    await settle(harness);
    t.same(messages(file), texts(250));
    t.equal(harness.stats.storedSql, 250);
  });

t.test('a spool batch that committed but whose answer was lost is not replayed twice',
  async (t) => {
    const { dir, db, file } = setup(t);
    const harness = await startRunner({ db, dir, down: true });
    harness.enqueue(texts(250));
    await spooled(harness, 250);

    harness.sink.faults.push('lost-after-commit', 'lost-after-commit');
    harness.sink.down = false;
    await settle(harness);
    t.same(messages(file), texts(250), 'each row once, in order');
    t.equal(harness.stats.storedSql, 250, 'rows of unsure commits counted once too');
  });

t.test('a spool batch lost before its commit reached the database is replayed once',
  async (t) => {
    const { dir, db, file } = setup(t);
    const harness = await startRunner({ db, dir, down: true });
    harness.enqueue(texts(250));
    await spooled(harness, 250);

    harness.sink.faults.push('lost-before-commit', 'lost-after-commit', 'lost-before-commit');
    harness.sink.down = false;
    await settle(harness);
    t.same(messages(file), texts(250));
    t.equal(harness.stats.storedSql, 250);
  });

t.test('commits lost again and again while memory, limbo and spool all hold rows',
  async (t) => {
    const { dir, db, file } = setup(t);
    const harness = await startRunner({ db, dir, batchSize: 50 });
    for (let round = 0; round < 6; round += 1) {
      harness.sink.faults.push(round % 2 === 0 ? 'lost-after-commit' : 'lost-before-commit');
    }

    for (let part = 0; part < 10; part += 1) {
      harness.enqueue(texts(100, `part ${part}`));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await settle(harness);
    const expected = Array.from({ length: 10 }, (_, part) => texts(100, `part ${part}`)).flat();
    t.same(messages(file), expected, 'each row once, in order');
    t.equal(harness.stats.storedSql, 1000);
  });

// Regression: knex put the whole statement, values included, in front of the message.
t.test('refused memory rows are dead-lettered with the database\'s own message, ' +
  'their neighbours stored', async (t) => {
    const { dir, db, file } = setup(t);
    await migrate(db);
    poisonTrigger(file);
    const harness = await startRunner({ db, dir, batchSize: 10 });

    const sent = ['ok 0', 'ok 1', 'poison 2', 'ok 3', 'ok 4', 'ok 5', 'ok 6', 'poison 7',
      'ok 8', 'ok 9'];
    harness.enqueue(sent);
    await settle(harness);
    t.same(messages(file), sent.filter((text) => text.startsWith('ok')));
    t.same(deadLetters(harness.deadLetterPath).map((entry) => [entry.row.msg,
      entry.error.code, entry.error.message]), [
      ['poison 2', 'SQLITE_CONSTRAINT_TRIGGER', 'poisoned row'],
      ['poison 7', 'SQLITE_CONSTRAINT_TRIGGER', 'poisoned row'],
    ]);
    t.same([harness.stats.storedSql, harness.stats.deadLetters], [8, 2]);
  });

t.test('a spool batch with refused rows stores its neighbours and dead-letters the rest',
  async (t) => {
    const { dir, db, file } = setup(t);
    await migrate(db);
    poisonTrigger(file);
    const harness = await startRunner({ db, dir, batchSize: 10, down: true });

    const sent = texts(25).map((text, index) => index % 6 === 5 ? `poison ${text}` : text);
    harness.enqueue(sent);
    await spooled(harness, 25);
    harness.sink.down = false;
    await settle(harness);
    t.same(messages(file), sent.filter((text) => !text.startsWith('poison')));
    t.same(deadLetters(harness.deadLetterPath).map((entry) => entry.row.msg),
      ['poison message 5', 'poison message 11', 'poison message 17', 'poison message 23']);
    t.same([harness.stats.storedSql, harness.stats.deadLetters], [21, 4]);
  });

t.test('a spool batch whose last rows are all refused still moves replay past them',
  async (t) => {
    const { dir, db, file } = setup(t);
    await migrate(db);
    poisonTrigger(file);
    const first = await startRunner({ db, dir, batchSize: 4, down: true });
    first.enqueue(['ok 0', 'ok 1', 'poison 2', 'poison 3']);
    await spooled(first, 4);
    first.sink.down = false;
    await settle(first);

    const second = await startRunner({ db, dir, batchSize: 4 });
    second.enqueue(['ok 4']);
    await settle(second);
    t.same(messages(file), ['ok 0', 'ok 1', 'ok 4'], 'the refused rows are not retried');
    t.equal(deadLetters(first.deadLetterPath).length, 2);
  });

t.test('a stop with the database up replays what was spooled instead of leaving it there',
  async (t) => {
    const { dir, db, file } = setup(t);
    const harness = await startRunner({ db, dir, batchSize: 100, queueSize: 200 });

    // More than --queue-size at once: memory spills to the spool although the database is up.
    harness.enqueue(texts(1000));
    t.ok(harness.runner.gauges().spool_records > 0, 'rows were spooled before the stop');
    await harness.stop();
    t.same(messages(file), texts(1000), 'each row in the table once, in order');
    t.equal(harness.runner.gauges().spool_records, 0, 'nothing left for the next start');
  });

t.test('datagram rows past a quarter of the queue go to the spool though the database is up',
  async (t) => {
    const { dir, db, file } = setup(t);
    const harness = await startRunner({ db, dir, batchSize: 1000, queueSize: 40_000 });

    harness.enqueue(texts(9999));
    t.strictSame([harness.runner.depth, harness.runner.gauges().spool_records], [9999, 0],
      'under a quarter of the queue: all in memory');
    harness.enqueue(['message 9999']);
    t.strictSame([harness.runner.depth, harness.runner.gauges().spool_records], [0, 10_000],
      'at a quarter: all of memory spilled, in slices');
    await harness.stop();
    t.same(messages(file), texts(10_000), 'each row in the table once, in order');
  });
