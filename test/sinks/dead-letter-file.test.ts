import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { DeadLetterFile } from '../../src/sinks/sql/dead-letter-file.js';
import { removeDir, tempDir } from '../helpers/collector.js';
import { logRow } from '../helpers/log-rows.js';

function entries(path: string): unknown[] {
  return readFileSync(path, 'utf8').split('\n').filter((line) => line !== '')
    .map((line) => JSON.parse(line));
}

t.test('dead-letter file keeps each refused row whole with its error code and message',
  async (t) => {
    const directory = tempDir();
    t.teardown(() => removeDir(directory));
    const file = new DeadLetterFile(join(directory, 'spool'));
    const refused = Object.assign(new Error("Data too long for column 'program' at row 1"),
      { code: 'ER_DATA_TOO_LONG', errno: 1406 });

    file.appendRow(logRow('first\nline'), refused, new Date('2026-12-03T19:20:00.123Z'));
    file.appendRow(logRow('second'), new Error('no code'), new Date('2026-12-03T19:20:01Z'));

    t.equal(file.path, join(directory, 'spool', 'dead-letter.jsonl'));
    t.same(entries(file.path), [
      { rejected_at: '2026-12-03T19:20:00.123Z',
        error: { code: 'ER_DATA_TOO_LONG', message: "Data too long for column 'program' at row 1" },
        row: logRow('first\nline') },
      { rejected_at: '2026-12-03T19:20:01.000Z', error: { code: null, message: 'no code' },
        row: logRow('second') },
    ]);
    t.equal(statSync(file.path).mode & 0o777, 0o640, 'readable by the group, not by others');
  });

t.test('dead-letter file keeps an unreadable spool line as text', async (t) => {
  const directory = tempDir();
  t.teardown(() => removeDir(directory));
  const file = new DeadLetterFile(directory);

  file.appendText('{"host": torn', 'unreadable spool line', new Date('2026-12-03T19:20:00Z'));
  t.same(entries(file.path), [{ rejected_at: '2026-12-03T19:20:00.000Z',
    error: { code: null, message: 'unreadable spool line' }, text: '{"host": torn' }]);
});

t.test('dead-letter file appends to what an earlier run left', async (t) => {
  const directory = tempDir();
  t.teardown(() => removeDir(directory));
  const stamp = new Date('2026-12-03T19:20:00Z');
  new DeadLetterFile(directory).appendText('one', 'unreadable spool line', stamp);
  new DeadLetterFile(directory).appendText('two', 'unreadable spool line', stamp);

  t.same(entries(join(directory, 'dead-letter.jsonl')).map((entry) =>
    (entry as { text: string }).text), ['one', 'two']);
});
