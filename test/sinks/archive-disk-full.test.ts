/**
 * A full disk, made real with a 64 KiB tmpfs as the archive root (skipped where the test may
 * not mount one): lines are retried until space returns, files hold whole lines only, memory
 * stays bounded, and every line given up is counted as `disk_full`.
 */
import { execFileSync } from 'node:child_process';
import {
  closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, rmSync, writeSync,
} from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { removeDir, tempDir, waitFor } from '../helpers/collector.js';
import { archiveSink, record } from './archive-helpers.js';

const PAGE = 4096;

/** Mounts a small tmpfs at `dir/archive`; false when this machine does not allow it. */
function mountSmallDisk(dir: string): boolean {
  mkdirSync(join(dir, 'archive'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', join(dir, 'archive')],
      { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Fills the disk, then frees `free` bytes; returns the filler's path. */
function fill(dir: string, free: number): string {
  const path = join(dir, 'archive', 'filler');
  const fd = openSync(path, 'w');
  let size = 0;
  try {
    for (;;) size += writeSync(fd, Buffer.alloc(PAGE));
  } catch {
    ftruncateSync(fd, size - free);
  }
  closeSync(fd);
  return path;
}

/** Records whose archive lines are exactly 100 bytes: `... app: <tag padded>\n`. */
function lines(tag: string, count: number): ReturnType<typeof record>[] {
  return Array.from({ length: count }, (_, index) =>
    record({ message: `${tag}${index}`.padEnd(58, '.') }));
}

function withDisk(name: string, body: (t: Test, dir: string) => Promise<void>): void {
  t.test(name, async (t) => {
    const dir = tempDir();
    t.teardown(() => removeDir(dir));
    if (!mountSmallDisk(dir)) {
      t.comment('skipped: cannot mount a tmpfs here (needs root)');
      return;
    }
    t.teardown(() => execFileSync('umount', [join(dir, 'archive')]));
    await body(t, dir);
  });
}

withDisk('a write cut by a full disk keeps whole lines and resumes when space returns',
  async (t, dir) => {
    const filler = fill(dir, PAGE);
    const { sink, stats, log } = await archiveSink(dir);
    await sink.writeRecords(lines('a', 100));
    await waitFor(() => sink.health().ok === false);

    const file = join(dir, 'archive', 'web01', '2026-12-03.log');
    t.equal(readFileSync(file).length, 4000, 'the 40 lines that fit, no fragment');
    t.equal(log.warnings[0].code, 'ENOSPC');
    rmSync(filler);
    // The file can reach its size before the write's callback has run: wait for the sink.
    await waitFor(() => sink.health().ok, 5000);
    t.equal(readFileSync(file).length, 10_000, 'healthy again once the retry wrote all');
    await sink.close();

    const written = readFileSync(file, 'utf8').split('\n').slice(0, -1);
    t.strictSame(written.map((line) => line.slice(41).replace(/\.+$/, '')),
      Array.from({ length: 100 }, (_, index) => `a${index}`), 'every line once, in order');
    t.equal(stats.dropped.disk_full, 0);
    t.equal(stats.storedArchive, 100);
  });

withDisk('beyond the memory bound the oldest waiting lines are shed and counted',
  async (t, dir) => {
    const filler = fill(dir, 0);
    const { sink, stats, log } = await archiveSink(dir, { maxBufferedBytes: 1500 });
    await sink.writeRecords(lines('a', 10));
    await sink.writeRecords(lines('b', 10));
    await sink.writeRecords(lines('c', 10));

    t.equal(stats.dropped.disk_full, 20, 'batches a and b given up');
    t.equal(log.warnings.find((entry) => entry.msg ===
      'archive lines lost: the disk refused them')?.lines, 20);
    rmSync(filler);
    const file = join(dir, 'archive', 'web01', '2026-12-03.log');
    await waitFor(() => readFileSync(file).length === 1000, 5000);
    await sink.close();
    t.strictSame(readFileSync(file, 'utf8').split('\n').slice(0, -1)
      .map((line) => line.slice(41).replace(/\.+$/, '')),
    Array.from({ length: 10 }, (_, index) => `c${index}`));
    t.equal(stats.storedArchive, 10);
  });

withDisk('lines the disk still refuses at close are counted, not hidden', async (t, dir) => {
  fill(dir, 0);
  const { sink, stats } = await archiveSink(dir);
  await sink.writeRecords(lines('a', 5));
  await sink.close();
  t.equal(stats.dropped.disk_full, 5);
  t.equal(stats.storedArchive, 0);
});
