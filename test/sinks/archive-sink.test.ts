/**
 * The archive sink on real files in a temporary directory: path safety, size rotation, the
 * `current` link, formats, bounded open files, reopen after an external rename, modes.
 */
import {
  mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, statSync, symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { removeDir, tempDir, waitFor } from '../helpers/collector.js';
import { archiveSink, record, sortedFiles } from './archive-helpers.js';

t.test('hostile host names stay inside the root as one safe directory each', async (t) => {
  const dir = tempDir();
  t.teardown(() => removeDir(dir));
  const { sink } = await archiveSink(dir);
  const hosts = ['../../etc/cron.d/x', '..', '.', 'a/b', '%2e%2e%2f', 'a\0b', 'x'.repeat(5000),
    '\u2024\u2024\uFF0Fetc', '2001:db8::1', ''];
  await sink.writeRecords(hosts.map((host, index) =>
    record({ hostname: host, message: `m${index}` })));
  await sink.close();

  t.strictSame(sortedFiles(join(dir, 'archive')).filter((file) => !file.endsWith('current')), [
    '.._.._etc_cron.d_x/2026-12-03.log', '2001_db8__1/2026-12-03.log', '_/2026-12-03.log',
    '_2e_2e_2f/2026-12-03.log', '___etc/2026-12-03.log', 'a_b/2026-12-03.log',
    `${'x'.repeat(64)}/2026-12-03.log`,
  ]);
  t.equal(readFileSync(join(dir, 'archive', '_/2026-12-03.log'), 'utf8'),
    '2026-12-03T10:00:00.000+00:00 .. app: m1\n' +
    '2026-12-03T10:00:00.000+00:00 . app: m2\n' +
    '2026-12-03T10:00:00.000+00:00  app: m9\n', '"..", "." and empty share "_"');
  t.strictSame(readdirSync(dir).sort(), ['archive'], 'nothing beside the root');
});

t.test('a symbolic link planted in the root cannot lead writes out of it', async (t) => {
  const dir = tempDir();
  t.teardown(() => removeDir(dir));
  mkdirSync(join(dir, 'outside'));
  mkdirSync(join(dir, 'archive'));
  symlinkSync(join(dir, 'outside'), join(dir, 'archive', 'evil'));
  const { sink, log } = await archiveSink(dir);

  await sink.writeRecords([record({ hostname: 'evil' })]);
  await waitFor(() => sink.health().ok === false);
  t.strictSame(readdirSync(join(dir, 'outside')), [], 'nothing written through the link');
  t.equal(log.warnings[0].code, 'LH_ARCHIVE_OUTSIDE_ROOT');
  await sink.close();
});

t.test('size rotation continues in .1, .2 and cuts only between lines', async (t) => {
  const dir = tempDir();
  t.teardown(() => removeDir(dir));
  const { sink } = await archiveSink(dir, { rotateSizeBytes: 100 });
  const lines = Array.from({ length: 7 }, (_, index) => record({ message: `line ${index}` }));
  await sink.writeRecords(lines.slice(0, 3));
  await sink.writeRecords(lines.slice(3));
  await sink.close();

  const host = join(dir, 'archive', 'web01');
  const line = (index: number): string =>
    `2026-12-03T10:00:00.000+00:00 web01 app: line ${index}\n`;
  t.strictSame(readdirSync(host).sort(),
    ['2026-12-03.1.log', '2026-12-03.2.log', '2026-12-03.3.log', '2026-12-03.log',
      'current']);
  t.equal(readFileSync(join(host, '2026-12-03.log'), 'utf8'), line(0) + line(1));
  t.equal(readFileSync(join(host, '2026-12-03.1.log'), 'utf8'), line(2) + line(3));
  t.equal(readFileSync(join(host, '2026-12-03.2.log'), 'utf8'), line(4) + line(5));
  t.equal(readFileSync(join(host, '2026-12-03.3.log'), 'utf8'), line(6));
  t.equal(readlinkSync(join(host, 'current')), '2026-12-03.3.log');
});

t.test('a line longer than --rotate-size gets a file of its own', async (t) => {
  const dir = tempDir();
  t.teardown(() => removeDir(dir));
  const { sink } = await archiveSink(dir, { rotateSizeBytes: 60 });
  await sink.writeRecords([record({ message: 'short' }), record({ message: 'y'.repeat(100) }),
    record({ message: 'after' })]);
  await sink.close();

  const host = join(dir, 'archive', 'web01');
  t.equal(readFileSync(join(host, '2026-12-03.log'), 'utf8'),
    '2026-12-03T10:00:00.000+00:00 web01 app: short\n');
  t.equal(readFileSync(join(host, '2026-12-03.1.log'), 'utf8'),
    `2026-12-03T10:00:00.000+00:00 web01 app: ${'y'.repeat(100)}\n`);
  t.equal(readFileSync(join(host, '2026-12-03.2.log'), 'utf8'),
    '2026-12-03T10:00:00.000+00:00 web01 app: after\n');
});

t.test('after a restart writing continues in the highest continuation', async (t) => {
  const dir = tempDir();
  t.teardown(() => removeDir(dir));
  const host = join(dir, 'archive', 'web01');
  mkdirSync(host, { recursive: true });
  writeFileSync(join(host, '2026-12-03.log'), 'old 0\n');
  writeFileSync(join(host, '2026-12-03.1.log'), 'old 1\n');
  const { sink } = await archiveSink(dir);
  await sink.writeRecords([record({ message: 'new' })]);
  await sink.close();

  t.equal(readFileSync(join(host, '2026-12-03.1.log'), 'utf8'),
    'old 1\n2026-12-03T10:00:00.000+00:00 web01 app: new\n');
  t.equal(readFileSync(join(host, '2026-12-03.log'), 'utf8'), 'old 0\n');
});

t.test('midnight in --timezone starts the next file and moves current', async (t) => {
  const dir = tempDir();
  t.teardown(() => removeDir(dir));
  const { sink } = await archiveSink(dir, { zone: 'Europe/Paris' });
  const host = join(dir, 'archive', 'web01');
  await sink.writeRecords([record({ receivedAt: '2026-12-03T22:59:59.999Z', message: 'before' })]);
  t.equal(readlinkSync(join(host, 'current')), '2026-12-03.log');
  await sink.writeRecords([record({ receivedAt: '2026-12-03T23:00:00.000Z', message: 'after' })]);
  t.equal(readlinkSync(join(host, 'current')), '2026-12-04.log');
  await sink.writeRecords([record({ receivedAt: '2026-12-03T22:59:59.000Z', message: 'late' })]);
  await sink.close();

  t.equal(readlinkSync(join(host, 'current')), '2026-12-04.log', 'a late line does not pull it');
  t.equal(readFileSync(join(host, '2026-12-03.log'), 'utf8'),
    '2026-12-03T23:59:59.999+01:00 web01 app: before\n' +
    '2026-12-03T23:59:59.000+01:00 web01 app: late\n');
  t.equal(readFileSync(join(host, '2026-12-04.log'), 'utf8'),
    '2026-12-04T00:00:00.000+01:00 web01 app: after\n');
});

t.test('json lines hold every column but seq, with sd and fields as objects', async (t) => {
  const dir = tempDir();
  t.teardown(() => removeDir(dir));
  const { sink } = await archiveSink(dir, { format: 'json' });
  await sink.writeRecords([record({ message: 'a\nb', procId: '42',
    structuredData: { 'x@1': { k: 'v' } }, fields: { pri_leading_zero: true } })]);
  await sink.close();

  const text = readFileSync(join(dir, 'archive', 'web01', '2026-12-03.log'), 'utf8');
  t.equal(text.split('\n').length, 2, 'one line');
  t.strictSame(JSON.parse(text), { host: 'web01', facility: 'user', priority: 'notice',
    level: 'notice', tag: '0d', datetime: '2026-12-03 10:00:00', program: 'app', msg: 'a\nb',
    received_at: '2026-12-03 10:00:00.000', source_ip: '127.0.0.1', facility_num: 1,
    severity_num: 5, pid: '42', msgid: null, sd: { 'x@1': { k: 'v' } },
    fields: { pri_leading_zero: true }, format: 'rfc3164' });
});

t.test('raw lines keep the original bytes, LFs inside included, across rotation', async (t) => {
  const dir = tempDir();
  t.teardown(() => removeDir(dir));
  const { sink } = await archiveSink(dir, { format: 'raw', rotateSizeBytes: 12 });
  await sink.writeRecords([record({ raw: Buffer.from('<13>a\nb\0\xff', 'latin1') }),
    record({ raw: Buffer.from('<13>second') })]);
  await sink.close();

  const host = join(dir, 'archive', 'web01');
  t.strictSame(readFileSync(join(host, '2026-12-03.log')), Buffer.from('<13>a\nb\0\xff\n',
    'latin1'), 'the LF inside the frame does not split the record');
  t.strictSame(readFileSync(join(host, '2026-12-03.1.log')), Buffer.from('<13>second\n'));
});

t.test('1,000 hosts with 64 open files lose no line and never exceed 64', async (t) => {
  const dir = tempDir();
  t.teardown(() => removeDir(dir));
  const { sink } = await archiveSink(dir, { maxOpenFiles: 64 });
  let most = 0;
  for (let round = 0; round < 3; round += 1) {
    for (let from = 0; from < 1000; from += 100) {
      await sink.writeRecords(Array.from({ length: 100 }, (_, index) =>
        record({ hostname: `h${from + index}`, message: `r${round}` })));
      most = Math.max(most, sink.openFiles);
    }
  }
  await sink.close();

  t.equal(most, 64);
  const root = join(dir, 'archive');
  const files = sortedFiles(root).filter((file) => file.endsWith('.log'));
  t.equal(files.length, 1000);
  const bad = files.filter((file) => readFileSync(join(root, file), 'utf8') !==
    ['r0', 'r1', 'r2'].map((msg) => `2026-12-03T10:00:00.000+00:00 ${file.split('/')[0]} app: ` +
      `${msg}\n`).join(''));
  t.strictSame(bad, [], 'every file holds its three lines in order');
});

t.test('after an external rename and a reopen the next lines go to a new file', async (t) => {
  const dir = tempDir();
  t.teardown(() => removeDir(dir));
  const { sink, log } = await archiveSink(dir);
  const file = join(dir, 'archive', 'web01', '2026-12-03.log');
  await sink.writeRecords([record({ message: 'one' })]);
  await sink.flush();
  renameSync(file, `${file}.1`);
  await sink.reopen();
  await sink.writeRecords([record({ message: 'two' })]);
  await sink.close();

  t.equal(readFileSync(`${file}.1`, 'utf8'), '2026-12-03T10:00:00.000+00:00 web01 app: one\n');
  t.equal(readFileSync(file, 'utf8'), '2026-12-03T10:00:00.000+00:00 web01 app: two\n');
  t.strictSame(log.infos.find((entry) => entry.msg === 'archive files reopened')?.files, 1);
});

t.test('a file renamed away without SIGHUP is noticed and created again', async (t) => {
  const dir = tempDir();
  t.teardown(() => removeDir(dir));
  const { sink } = await archiveSink(dir, { tickMs: 20 });
  const file = join(dir, 'archive', 'web01', '2026-12-03.log');
  await sink.writeRecords([record({ message: 'one' })]);
  await sink.flush();
  const inode = statSync(file).ino;
  renameSync(file, `${file}.1`);
  await new Promise((resolve) => setTimeout(resolve, 100));
  await sink.writeRecords([record({ message: 'two' })]);
  await sink.close();

  t.not(statSync(file).ino, inode);
  t.equal(readFileSync(`${file}.1`, 'utf8'), '2026-12-03T10:00:00.000+00:00 web01 app: one\n');
  t.equal(readFileSync(file, 'utf8'), '2026-12-03T10:00:00.000+00:00 web01 app: two\n');
});

t.test('--archive-mode sets file modes despite the umask; directories get search bits',
  async (t) => {
    const dir = tempDir();
    t.teardown(() => removeDir(dir));
    const umask = process.umask(0o022);
    t.teardown(() => process.umask(umask));
    const { sink } = await archiveSink(dir, { fileMode: 0o660 });
    await sink.writeRecords([record()]);
    await sink.close();

    const host = join(dir, 'archive', 'web01');
    t.equal(statSync(join(host, '2026-12-03.log')).mode & 0o777, 0o660);
    t.equal(statSync(host).mode & 0o777, 0o750, '0770 less the umask');
  });

t.test('with --archive-fsync always a batch is in the file when write resolves', async (t) => {
  const dir = tempDir();
  t.teardown(() => removeDir(dir));
  const { sink } = await archiveSink(dir, { fsync: 'always' });
  await sink.writeRecords([record({ message: 'durable' })]);
  t.equal(readFileSync(join(dir, 'archive', 'web01', '2026-12-03.log'), 'utf8'),
    '2026-12-03T10:00:00.000+00:00 web01 app: durable\n');
  await sink.close();
});

/** `count` records of 50-byte lines: 30 of stamp, ` web01 app: ` and an 8-byte message. */
function fiftyByteLines(tag: string, count: number): ReturnType<typeof record>[] {
  return Array.from({ length: count },
    (_, index) => record({ message: `${tag}${String(index).padStart(7, '0')}` }));
}

t.test('lines of an open file gather into one write until gatherBytes wait', async (t) => {
  const dir = tempDir();
  t.teardown(() => removeDir(dir));
  const { sink } = await archiveSink(dir, { gatherBytes: 1000, gatherMs: 60_000 });
  const file = join(dir, 'archive', 'web01', '2026-12-03.log');
  const size = (): number => statSync(file).size;

  await sink.writeRecords(fiftyByteLines('a', 1));
  await waitFor(() => size() === 50);
  t.equal(readlinkSync(join(dir, 'archive', 'web01', 'current')), '2026-12-03.log',
    'a new file is opened, and current moved, by its first line at once');

  await sink.writeRecords(fiftyByteLines('b', 10));
  await sink.writeRecords(fiftyByteLines('c', 9));
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.equal(size(), 50, '950 bytes wait: below the gathering size');
  await sink.writeRecords(fiftyByteLines('d', 1));
  await waitFor(() => size() === 1050);
  t.pass('the 1,000th byte sends the gathering at once');

  await sink.writeRecords(fiftyByteLines('e', 2));
  await sink.flush();
  t.equal(size(), 1150, 'flush writes a smaller gathering');
  await sink.close();
  t.equal(readFileSync(file, 'utf8').split('\n').length - 1, 23, 'every line once');
});

t.test('a small gathering goes out by itself after gatherMs', async (t) => {
  const dir = tempDir();
  t.teardown(() => removeDir(dir));
  const { sink } = await archiveSink(dir, { gatherMs: 20 });
  const file = join(dir, 'archive', 'web01', '2026-12-03.log');
  await sink.writeRecords(fiftyByteLines('a', 1));
  await waitFor(() => statSync(file).size === 50);
  await sink.writeRecords(fiftyByteLines('b', 3));
  await waitFor(() => statSync(file).size === 200, 2000);
  t.equal(readFileSync(file, 'utf8').split('\n').length - 1, 4, 'written without a flush');
  await sink.close();
});
