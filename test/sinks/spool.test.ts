import { appendFileSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { Spool, type SpoolEntry } from '../../src/sinks/sql/spool.js';
import type { LogRow } from '../../src/sinks/row.js';
import { removeDir, tempDir } from '../helpers/collector.js';
import { logRow, logRows } from '../helpers/log-rows.js';

function openSpool(directory: string, options: { maxBytes?: number;
  segmentBytes?: number } = {}): Spool {
  const spool = new Spool({ directory, maxBytes: options.maxBytes ?? 1024 * 1024,
    segmentBytes: options.segmentBytes });
  spool.open();
  return spool;
}

function messages(entries: SpoolEntry[]): string[] {
  return entries.map((entry) => entry.kind === 'row' ? entry.row.msg
    : entry.kind === 'attempt' ? `attempt ${entry.seq}/${entry.rows}` : `corrupt ${entry.text}`);
}

function segments(directory: string): string[] {
  return readdirSync(directory).filter((name) => name.endsWith('.spool')).sort();
}

/** The bytes a row takes in a segment: its JSON and the LF. */
function lineBytes(row: LogRow): number {
  return Buffer.byteLength(JSON.stringify(row)) + 1;
}

t.test('spool reads rows back in append order with each row\'s end position', async (t) => {
  const directory = tempDir();
  t.teardown(() => removeDir(directory));
  const spool = openSpool(directory);
  t.teardown(() => spool.close());

  t.equal(spool.append(logRows(3, 'first')), true);
  t.equal(spool.append(logRows(2, 'second')), true);
  t.same([spool.records, spool.hasUnread, spool.empty], [5, true, false]);

  const entries = spool.read(100);
  t.same(messages(entries), ['first 0', 'first 1', 'first 2', 'second 0', 'second 1']);
  const [segment] = segments(directory);
  const size = statSync(join(directory, segment)).size;
  t.same(entries[4].end, { segment, offset: size }, 'the last row ends at the file end');
  t.same(entries[0].end, { segment, offset: lineBytes(logRow('first 0')) });
  t.equal(spool.bytes, size, 'read but not committed: still counted');
  t.equal(spool.hasUnread, false);
});

t.test('spool reads at most the asked number of entries and goes on from there',
  async (t) => {
    const directory = tempDir();
    t.teardown(() => removeDir(directory));
    const spool = openSpool(directory);
    t.teardown(() => spool.close());

    spool.append(logRows(5));
    t.same(messages(spool.read(2)), ['row 0', 'row 1']);
    t.same(messages(spool.read(2)), ['row 2', 'row 3']);
    t.same(messages(spool.read(2)), ['row 4']);
    t.same(spool.read(2), []);
  });

t.test('spool keeps an attempt marker in front of the rows it covers', async (t) => {
  const directory = tempDir();
  t.teardown(() => removeDir(directory));
  const spool = openSpool(directory);
  t.teardown(() => spool.close());

  spool.append(logRows(2, 'limbo'), { seq: 7 });
  spool.append(logRows(1, 'later'));
  t.same(messages(spool.read(10)), ['attempt 7/2', 'limbo 0', 'limbo 1', 'later 0']);
  t.equal(spool.records, 4, 'the marker is a record too');
});

t.test('spool starts a new segment past the segment size and reads across them',
  async (t) => {
    const directory = tempDir();
    t.teardown(() => removeDir(directory));
    const rowBytes = lineBytes(logRow('row 0'));
    const spool = openSpool(directory, { segmentBytes: rowBytes * 2 });
    t.teardown(() => spool.close());

    for (let index = 0; index < 5; index += 1) spool.append(logRows(1, 'row', index));
    const names = segments(directory);
    t.equal(names.length, 3, 'two rows per segment');
    t.match(names, [/^000000000001-[0-9a-f]{8}\.spool$/, /^000000000002-/, /^000000000003-/]);
    t.same(messages(spool.read(10)), ['row 0', 'row 1', 'row 2', 'row 3', 'row 4']);
  });

t.test('spool read across a segment boundary keeps the next segment\'s rows as rows',
  async (t) => {
    // Regression: a read that filled part of its count in one segment went on in the next
    // with the remaining count compared against the whole list, found no room, and took the
    // next segment's rows for one torn tail (they went to the dead-letter file as text).
    const directory = tempDir();
    t.teardown(() => removeDir(directory));
    const rowBytes = lineBytes(logRow('row 0'));
    const spool = openSpool(directory, { segmentBytes: rowBytes * 3 });
    t.teardown(() => spool.close());

    for (let index = 0; index < 8; index += 1) spool.append(logRows(1, 'row', index));
    const second = segments(directory)[1];
    const entries = spool.read(4);
    t.same(messages(entries), ['row 0', 'row 1', 'row 2', 'row 3']);
    t.same(entries[3].end, { segment: second, offset: rowBytes });
    t.same(messages(spool.read(4)), ['row 4', 'row 5', 'row 6', 'row 7']);
  });

t.test('spool deletes the segments an acknowledged position has left behind', async (t) => {
  const directory = tempDir();
  t.teardown(() => removeDir(directory));
  const rowBytes = lineBytes(logRow('row 0'));
  const spool = openSpool(directory, { segmentBytes: rowBytes * 2 });
  t.teardown(() => spool.close());

  for (let index = 0; index < 5; index += 1) spool.append(logRows(1, 'row', index));
  const names = segments(directory);
  const entries = spool.read(3);
  spool.acknowledge(entries[2].end);
  spool.committed(3);

  t.same(segments(directory), names.slice(1), 'the first segment is gone');
  t.equal(spool.records, 2);
  t.equal(spool.bytes, rowBytes * 2, 'only the two uncommitted rows count');
});

t.test('spool survives a reopen and replays from a checkpoint position', async (t) => {
  const directory = tempDir();
  t.teardown(() => removeDir(directory));
  const rowBytes = lineBytes(logRow('row 0'));
  const before = openSpool(directory, { segmentBytes: rowBytes * 3 });
  for (let index = 0; index < 8; index += 1) before.append(logRows(1, 'row', index));
  const committedUpTo = before.read(4)[3].end;
  before.close();

  const after = openSpool(directory, { segmentBytes: rowBytes * 3 });
  t.teardown(() => after.close());
  t.same([after.records, after.hasUnread], [8, true], 'every row is unread until a seek');
  after.seek(committedUpTo);
  t.equal(segments(directory).length, 2, 'the segment before the position is deleted');
  t.equal(after.records, 4, 'rows before the position no longer count');
  t.equal(after.bytes, rowBytes * 4);
  t.same(messages(after.read(10)), ['row 4', 'row 5', 'row 6', 'row 7']);
});

t.test('spool replays everything when the checkpoint names a segment it does not have',
  async (t) => {
    const directory = tempDir();
    t.teardown(() => removeDir(directory));
    const before = openSpool(directory);
    before.append(logRows(3));
    before.close();

    const after = openSpool(directory);
    t.teardown(() => after.close());
    after.seek({ segment: '000000000001-00000000.spool', offset: 99 });
    t.same(messages(after.read(10)), ['row 0', 'row 1', 'row 2']);
  });

t.test('spool appends after a reopen go to a new segment, read after the old rows',
  async (t) => {
    const directory = tempDir();
    t.teardown(() => removeDir(directory));
    const before = openSpool(directory);
    before.append(logRows(2, 'old'));
    before.close();

    const after = openSpool(directory);
    t.teardown(() => after.close());
    after.seek(null);
    after.append(logRows(1, 'new'));
    t.equal(segments(directory).length, 2);
    t.same(messages(after.read(10)), ['old 0', 'old 1', 'new 0']);
  });

t.test('spool refuses an append past --spool-max and writes none of it', async (t) => {
  const directory = tempDir();
  t.teardown(() => removeDir(directory));
  const rowBytes = lineBytes(logRow('row 0'));
  const spool = openSpool(directory, { maxBytes: rowBytes * 3 });
  t.teardown(() => spool.close());

  t.equal(spool.append(logRows(2)), true);
  t.equal(spool.append(logRows(2, 'row', 2)), false, 'two more would pass the cap');
  t.same([spool.records, spool.bytes, spool.full], [2, rowBytes * 2, false]);
  t.equal(spool.append(logRows(1, 'row', 2)), true, 'one more still fits');
  t.same([spool.bytes, spool.full], [rowBytes * 3, true]);
  t.equal(spool.append(logRows(1, 'row', 3)), false);
  t.same(messages(spool.read(10)), ['row 0', 'row 1', 'row 2']);
  const [segment] = segments(directory);
  t.equal(statSync(join(directory, segment)).size, rowBytes * 3, 'nothing refused on disk');
});

t.test('spool makes room again once committed rows are acknowledged', async (t) => {
  const directory = tempDir();
  t.teardown(() => removeDir(directory));
  const rowBytes = lineBytes(logRow('row 0'));
  const spool = openSpool(directory, { maxBytes: rowBytes * 2, segmentBytes: rowBytes });
  t.teardown(() => spool.close());

  spool.append(logRows(2));
  t.equal(spool.append(logRows(1, 'row', 2)), false);
  const entries = spool.read(1);
  spool.acknowledge(entries[0].end);
  spool.committed(1);
  t.equal(spool.append(logRows(1, 'row', 2)), true);
  t.same(messages(spool.read(10)), ['row 1', 'row 2']);
});

t.test('spool skips a torn tail left by a crash as one corrupt entry', async (t) => {
  const directory = tempDir();
  t.teardown(() => removeDir(directory));
  const before = openSpool(directory);
  before.append(logRows(2));
  before.close();
  const [segment] = segments(directory);
  const torn = JSON.stringify(logRow('row 2')).slice(0, 40);
  appendFileSync(join(directory, segment), torn);

  const after = openSpool(directory);
  t.teardown(() => after.close());
  after.seek(null);
  after.append(logRows(1, 'after'));
  const entries = after.read(10);
  t.same(messages(entries), ['row 0', 'row 1', `corrupt ${torn}`, 'after 0']);
  t.same(entries[2].end, { segment, offset: statSync(join(directory, segment)).size });
});

t.test('spool reports an unparsable whole line as corrupt and reads on', async (t) => {
  const directory = tempDir();
  t.teardown(() => removeDir(directory));
  const before = openSpool(directory);
  before.append(logRows(1));
  before.close();
  const [segment] = segments(directory);
  appendFileSync(join(directory, segment), '{"host": nonsense\n');
  appendFileSync(join(directory, segment), `${JSON.stringify(logRow('row 1'))}\n`);

  const after = openSpool(directory);
  t.teardown(() => after.close());
  t.same(messages(after.read(10)), ['row 0', 'corrupt {"host": nonsense', 'row 1']);
});

t.test('spool reads a row longer than its read chunk whole', async (t) => {
  const directory = tempDir();
  t.teardown(() => removeDir(directory));
  const spool = openSpool(directory, { maxBytes: 64 * 1024 * 1024 });
  t.teardown(() => spool.close());

  const long = 'x'.repeat(5 * 1024 * 1024);
  spool.append([logRow(long), logRow('short')]);
  const entries = spool.read(10);
  t.same(entries.map((entry) => entry.kind === 'row' ? entry.row.msg.length : -1),
    [long.length, 5]);
});

t.test('spool clear deletes every segment and empties the spool', async (t) => {
  const directory = tempDir();
  t.teardown(() => removeDir(directory));
  const spool = openSpool(directory, { segmentBytes: 100 });
  t.teardown(() => spool.close());

  spool.append(logRows(1));
  spool.append(logRows(1));
  spool.read(10);
  spool.clear();
  t.same([segments(directory), spool.records, spool.bytes, spool.empty], [[], 0, 0, true]);
  spool.append(logRows(1, 'fresh'));
  t.same(messages(spool.read(10)), ['fresh 0']);
});

t.test('spool lines are whole JSON rows, one per line', async (t) => {
  const directory = tempDir();
  t.teardown(() => removeDir(directory));
  const spool = openSpool(directory);
  spool.append([logRow('a\nb')], { seq: 3 });
  spool.close();

  const [segment] = segments(directory);
  const lines = readFileSync(join(directory, segment), 'utf8').split('\n');
  t.same(lines.map((line) => line === '' ? null : JSON.parse(line)),
    [{ $attempt: 3, rows: 1 }, logRow('a\nb'), null]);
});
