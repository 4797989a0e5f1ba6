/**
 * The archive's background sweep on real files: gzip of past days (readable and complete),
 * retention that deletes only what is old, and files the sink still writes left alone.
 */
import {
  existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import t from 'tap';
import { removeDir, tempDir, waitFor } from '../helpers/collector.js';
import { archiveSink, record } from './archive-helpers.js';

const NOW = Date.parse('2026-12-03T10:00:00.000Z');

function seed(host: string, files: Record<string, string | Buffer>): void {
  mkdirSync(host, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(host, name), content);
}

t.test('past days are gzipped, old files deleted, everything else left alone', async (t) => {
  const dir = tempDir();
  t.teardown(() => removeDir(dir));
  const host = join(dir, 'archive', 'web01');
  seed(host, {
    '2026-12-03.log': 'today\n', '2026-12-02.log': 'yesterday\n', '2026-12-02.1.log': 'more\n',
    '2026-11-03.log': 'thirty days\n', '2026-11-02.log.gz': gzipSync('31 days\n'),
    '2026-11-01.log': '32 days\n', 'notes.txt': 'operator notes\n',
    '2026-12-01.log.gz.tmp': 'interrupted compression',
  });
  symlinkSync('2026-12-03.log', join(host, 'current'));
  const { sink } = await archiveSink(dir, { retainDays: 30 });

  t.strictSame(await sink.maintain(), { compressed: 3, deleted: 2 });
  await sink.close();

  t.strictSame(readdirSync(host).sort(), ['2026-11-03.log.gz', '2026-12-02.1.log.gz',
    '2026-12-02.log.gz', '2026-12-03.log', 'current', 'notes.txt']);
  t.equal(gunzipSync(readFileSync(join(host, '2026-12-02.log.gz'))).toString(), 'yesterday\n');
  t.equal(gunzipSync(readFileSync(join(host, '2026-12-02.1.log.gz'))).toString(), 'more\n');
  t.equal(gunzipSync(readFileSync(join(host, '2026-11-03.log.gz'))).toString(),
    'thirty days\n');
  t.equal(readFileSync(join(host, '2026-12-03.log'), 'utf8'), 'today\n');
});

t.test('with --compress none and --retain-days 0 nothing is touched', async (t) => {
  const dir = tempDir();
  t.teardown(() => removeDir(dir));
  const host = join(dir, 'archive', 'web01');
  seed(host, { '2026-12-02.log': 'yesterday\n', '2020-01-01.log': 'ancient\n' });
  const { sink } = await archiveSink(dir, { retainDays: 0, compress: 'none' });

  t.strictSame(await sink.maintain(), { compressed: 0, deleted: 0 });
  await sink.close();
  t.strictSame(readdirSync(host).sort(), ['2020-01-01.log', '2026-12-02.log']);
});

t.test('a past day still open is compressed only once its file is closed', async (t) => {
  const dir = tempDir();
  t.teardown(() => removeDir(dir));
  let now = NOW;
  const { sink } = await archiveSink(dir, { now: () => now, tickMs: 10, idleCloseMs: 1000 });
  await sink.writeRecords([record({ receivedAt: '2026-12-02T23:59:59.000Z', message: 'late' })]);

  t.strictSame(await sink.maintain(), { compressed: 0, deleted: 0 }, 'open: skipped');
  now += 2000;
  await waitFor(() => sink.openFiles === 0);
  t.strictSame(await sink.maintain(), { compressed: 1, deleted: 0 }, 'closed: compressed');
  await sink.close();
  t.equal(gunzipSync(readFileSync(join(dir, 'archive', 'web01', '2026-12-02.log.gz')))
    .toString(), '2026-12-02T23:59:59.000+00:00 web01 app: late\n');
});

t.test('a late line for a compressed day joins its .gz as a second member', async (t) => {
  const dir = tempDir();
  t.teardown(() => removeDir(dir));
  const host = join(dir, 'archive', 'web01');
  seed(host, { '2026-12-02.log.gz': gzipSync('first\n') });
  const { sink } = await archiveSink(dir, { maxOpenFiles: 1 });
  await sink.writeRecords([record({ receivedAt: '2026-12-02T23:59:59.000Z', message: 'late' })]);
  await sink.writeRecords([record({ message: 'today' })]);
  await sink.flush();

  t.strictSame(await sink.maintain(), { compressed: 1, deleted: 0 });
  await sink.close();
  t.equal(gunzipSync(readFileSync(join(host, '2026-12-02.log.gz'))).toString(),
    'first\n2026-12-02T23:59:59.000+00:00 web01 app: late\n');
  t.equal(existsSync(join(host, '2026-12-02.log')), false);
});

t.test('a template without a per-host directory is swept by its dates', async (t) => {
  const dir = tempDir();
  t.teardown(() => removeDir(dir));
  const root = join(dir, 'archive');
  seed(join(root, '2026', '11'), { 'web01-01.log': 'old\n', 'web01-30.log': 'recent\n' });
  const { sink } = await archiveSink(dir, { template: '{year}/{month}/{host}-{day}.log',
    retainDays: 31 });

  t.strictSame(await sink.maintain(), { compressed: 1, deleted: 1 });
  await sink.close();
  t.strictSame(readdirSync(join(root, '2026', '11')), ['web01-30.log.gz']);
});
