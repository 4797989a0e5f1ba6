/**
 * One archive path (a rendered template, e.g. `web01/2026-12-03.log`) and its size
 * continuations (`2026-12-03.1.log`, ...), appended to with one write in flight at a time.
 *
 * Guarantees:
 * - A file only ever holds whole lines: writes are cut at line ends, a size rotation happens
 *   between lines, and a write that fails half-way (disk full) is truncated back to the last
 *   whole line before it is retried.
 * - Lines reach the files in the order they were handed over; a failed write keeps its lines
 *   and is retried every `retryMs` on a freshly opened file, so writing resumes by itself once
 *   space returns. Lines are only given up when the sink sheds them (`shed`) to bound memory,
 *   or when a close finds the disk still refusing them; both report the count.
 * - Files are opened in append mode, so an external `copytruncate` leaves no hole, and
 *   `reopen()` (SIGHUP) or a rename noticed by `checkMoved()` makes the next write create the
 *   file afresh, as logrotate's `create` expects.
 */
import {
  close, closeSync, existsSync, fchmodSync, fdatasync, fstatSync, ftruncateSync, mkdirSync,
  openSync, realpathSync, stat, write,
} from 'node:fs';
import { dirname, sep } from 'node:path';
import type { ArchiveLayout } from './archive-layout.js';
import {
  chunkFrom, firstLineEnd, joinChunks, lastLineEndWithin, type LineChunk,
} from './line-chunk.js';

export type FsyncPolicy = 'interval' | 'never' | 'always';

export interface FileWriterOptions {
  layout: ArchiveLayout;
  /** The archive root, resolved; a file whose directory resolves elsewhere is refused. */
  root: string;
  /**
   * Lines gather until this many bytes wait (0: each write goes out at once); the owner
   * calls `writeOut()` to send a smaller gathering on its own schedule.
   */
  gatherBytes?: number;
  rotateSizeBytes: number;
  fileMode: number;
  directoryMode: number;
  fsync: FsyncPolicy;
  retryMs: number;
  /** Something that must finish before `path` is opened (an older writer, a compression). */
  waitFor: (path: string) => Promise<unknown> | undefined;
  /** A file was opened for writing (to move the `current` link). */
  onOpen: (path: string) => void;
  onError: (error: NodeJS.ErrnoException, path: string) => void;
  now?: () => number;
}

/** Chunks at least this large go out as they are; smaller ones are joined (see #takeWrite). */
const JOIN_BELOW = 16 * 1024;

export class ArchivePathError extends Error {
  readonly code = 'LH_ARCHIVE_OUTSIDE_ROOT';
}

/** A write that failed after its first `resumeAt` bytes (whole lines) reached the file. */
class PartialWrite extends Error {
  constructor(readonly resumeAt: number, cause: unknown) {
    super('archive write failed', { cause });
  }
}

export class FileWriter {
  readonly basePath: string;
  readonly #options: FileWriterOptions;
  readonly #now: () => number;
  #queue: LineChunk[] = [];
  #pendingBytes = 0;
  #fd: number | null = null;
  #segment: number | null = null;
  #size = 0;
  #inode = 0;
  #dirty = false;
  #reopen = false;
  #active: Promise<void> | null = null;
  #failing = false;
  #closed = false;
  #retryTimer: NodeJS.Timeout | null = null;
  lastWriteAt: number;

  constructor(basePath: string, options: FileWriterOptions) {
    this.basePath = basePath;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.lastWriteAt = this.#now();
  }

  /** Bytes handed over and not yet in the file. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** True while writes fail and lines wait for space. */
  get failing(): boolean {
    return this.#failing;
  }

  /** True while nothing waits and nothing is being written. */
  get idle(): boolean {
    return this.#active === null && this.#queue.length === 0;
  }

  /** The file being written (or about to be), for the maintenance's "is it open" check. */
  get currentPath(): string {
    return this.#options.layout.segmentPath(this.basePath, this.#segment ?? 0);
  }

  write(chunk: LineChunk): void {
    this.#queue.push(chunk);
    this.#pendingBytes += chunk.bytes.length;
    this.lastWriteAt = this.#now();
    // A file not open yet is opened by a write at once, so it exists (and `current` points
    // at it) as soon as its first line is handed over.
    const gathered = this.#pendingBytes >= (this.#options.gatherBytes ?? 0);
    if (gathered || this.#fd === null) this.writeOut();
  }

  /** Starts writing what has gathered, unless writes are failing (the retry timer owns it). */
  writeOut(): void {
    if (!this.#failing && this.#queue.length > 0) this.#start();
  }

  /** Resolves once everything handed over so far is written, or has failed once more. */
  async flush(): Promise<void> {
    while (this.#active !== null) await this.#active;
    if (this.#queue.length > 0 && !this.#failing && !this.#closed) {
      this.#start();
      await this.#active;
    }
  }

  /** Drops the oldest waiting lines while failing, until `bytes` are freed; returns the lines. */
  shed(bytes: number): number {
    if (!this.#failing) return 0;
    let freed = 0;
    let lines = 0;
    while (freed < bytes && this.#queue.length > 0) {
      const oldest = this.#queue.shift() as LineChunk;
      freed += oldest.bytes.length;
      lines += oldest.lines;
    }
    this.#pendingBytes -= freed;
    return lines;
  }

  /** Makes the next write open the file by name again (SIGHUP, or the file was moved). */
  async reopen(): Promise<void> {
    this.#reopen = true;
    if (this.#active !== null || this.#fd === null) return;
    this.#reopen = false;
    await this.#closeFile();
  }

  /** Notices a file renamed or deleted under us (logrotate without SIGHUP) or truncated. */
  async checkMoved(): Promise<void> {
    const fd = this.#fd;
    if (fd === null) return;
    const path = this.currentPath;
    const inode = this.#inode;
    const stats = await new Promise<{ ino: number; size: number } | null>((resolve) =>
      stat(path, (error, result) => resolve(error === null ? result : null)));
    if (this.#fd !== fd || this.#inode !== inode) return;
    if (stats === null || stats.ino !== inode) await this.reopen();
    else if (stats.size < this.#size) this.#size = stats.size;
  }

  /** `--archive-fsync interval`: makes what was written so far durable. */
  async sync(): Promise<void> {
    const fd = this.#fd;
    if (fd === null || !this.#dirty) return;
    this.#dirty = false;
    await new Promise<void>((resolve) => fdatasync(fd, () => resolve()));
  }

  /**
   * Writes what it can, makes it durable (unless `never`) and closes the file; safe to call
   * twice. Returns how many lines the disk still refused, which are then given up.
   */
  async close(): Promise<number> {
    if (this.#closed) return 0;
    this.#clearRetry();
    this.#failing = false;
    await this.flush();
    this.#closed = true;
    this.#clearRetry();

    const lost = this.#queue.reduce((sum, chunk) => sum + chunk.lines, 0);
    this.#queue = [];
    this.#pendingBytes = 0;
    await this.#closeFile();
    return lost;
  }

  #start(): void {
    if (this.#active !== null || this.#closed) return;
    this.#active = this.#drain().finally(() => {
      this.#active = null;
    });
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const chunk = this.#takeWrite();
      let offset = 0;
      try {
        while (offset < chunk.bytes.length) offset = await this.#writeSome(chunk, offset);
        if (this.#options.fsync === 'always') await this.sync();
      } catch (error) {
        const resumeAt = error instanceof PartialWrite ? error.resumeAt : offset;
        this.#queue.unshift(chunkFrom(chunk, resumeAt));
        this.#pendingBytes -= resumeAt;
        this.#fail((error instanceof PartialWrite ? error.cause : error) as NodeJS.ErrnoException);
        return;
      }
      this.#pendingBytes -= chunk.bytes.length;
      this.#failing = false;
    }
  }

  /**
   * The next write: a large chunk as it is, or small ones joined so that a trickle of lines
   * (datagrams) costs one write call, not one each. Joining large ones only copied them: a
   * tenth of the main thread's time went to it.
   */
  #takeWrite(): LineChunk {
    let count = 1;
    let bytes = this.#queue[0].bytes.length;
    const limit = Math.max(JOIN_BELOW, this.#options.gatherBytes ?? 0);
    while (this.#queue[0].bytes.length < JOIN_BELOW && count < this.#queue.length &&
      this.#queue[count].bytes.length < JOIN_BELOW && bytes < limit) {
      bytes += this.#queue[count].bytes.length;
      count += 1;
    }
    return joinChunks(this.#queue.splice(0, count));
  }

  /** Writes the whole lines from `offset` that fit the current file; returns the new offset. */
  async #writeSome(chunk: LineChunk, offset: number): Promise<number> {
    const fd = await this.#openFile();
    const room = this.#options.rotateSizeBytes - this.#size;
    let end = lastLineEndWithin(chunk, offset, offset + Math.max(0, room));
    if (end === offset) {
      if (this.#size > 0) {
        await this.#rotate();
        return offset;
      }
      // A line longer than --rotate-size still goes whole into a file of its own.
      end = firstLineEnd(chunk, offset);
    }

    let written = 0;
    try {
      while (offset + written < end) {
        written += await writeBytes(fd, chunk.bytes, offset + written, end - offset - written);
      }
    } catch (error) {
      const whole = lastLineEndWithin(chunk, offset, offset + written);
      if (whole < offset + written) tryTruncate(fd, this.#size + whole - offset);
      this.#size += whole - offset;
      throw new PartialWrite(whole, error);
    }
    this.#size += end - offset;
    this.#dirty = true;
    return end;
  }

  async #openFile(): Promise<number> {
    if (this.#reopen) {
      this.#reopen = false;
      await this.#closeFile();
    }
    if (this.#fd !== null) return this.#fd;

    this.#segment ??= this.#lastSegment();
    const path = this.currentPath;
    await this.#options.waitFor(path);
    this.#makeDirectory(dirname(path));
    const fd = openSync(path, 'a', this.#options.fileMode);
    const stats = fstatSync(fd);
    // The umask may have removed bits that --archive-mode asks for.
    if (stats.size === 0) fchmodSync(fd, this.#options.fileMode);
    this.#fd = fd;
    this.#size = stats.size;
    this.#inode = stats.ino;
    this.#options.onOpen(path);
    return fd;
  }

  /** After a restart, writing continues in the highest continuation that exists. */
  #lastSegment(): number {
    const { layout } = this.#options;
    let segment = 0;
    while (existsSync(layout.segmentPath(this.basePath, segment + 1))) segment += 1;
    return segment;
  }

  /** Creates the directory and checks that no symbolic link leads it out of the root. */
  #makeDirectory(directory: string): void {
    mkdirSync(directory, { recursive: true, mode: this.#options.directoryMode });
    const real = realpathSync(directory);
    const { root } = this.#options;
    if (real !== root && !real.startsWith(root + sep)) {
      throw new ArchivePathError(`Archive directory ${directory} resolves to ${real}, ` +
        `outside the archive root ${root}`);
    }
  }

  async #rotate(): Promise<void> {
    await this.#closeFile();
    this.#segment = (this.#segment ?? 0) + 1;
  }

  async #closeFile(): Promise<void> {
    const fd = this.#fd;
    if (fd === null) return;
    this.#fd = null;
    if (this.#dirty && this.#options.fsync !== 'never') {
      await new Promise<void>((resolve) => fdatasync(fd, () => resolve()));
    }
    this.#dirty = false;
    await new Promise<void>((resolve) => close(fd, () => resolve()));
  }

  /** The retry reopens the file: the failure may have come from the handle itself. */
  #fail(error: NodeJS.ErrnoException): void {
    this.#failing = true;
    this.#options.onError(error, this.currentPath);
    const fd = this.#fd;
    this.#fd = null;
    this.#dirty = false;
    if (fd !== null) closeSync(fd);
    if (this.#closed) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      this.#start();
    }, this.#options.retryMs);
    this.#retryTimer.unref();
  }

  #clearRetry(): void {
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
  }
}

function writeBytes(fd: number, bytes: Buffer, offset: number, length: number):
  Promise<number> {
  return new Promise((resolve, reject) => {
    write(fd, bytes, offset, length, null,
      (error, written) => (error ? reject(error) : resolve(written)));
  });
}

/**
 * Best effort: when the truncate fails too, the fragment stays and the retry writes the
 * whole line after it, so the line is still complete once (a fragment beside it).
 */
function tryTruncate(fd: number, size: number): boolean {
  try {
    ftruncateSync(fd, size);
    return true;
  } catch {
    return false;
  }
}
