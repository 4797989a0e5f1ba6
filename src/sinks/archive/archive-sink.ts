/**
 * The archive sink: each record's line goes to the file its path template names, under the
 * archive root (DESIGN.md §4). Lines arrive encoded and grouped by file (BatchBuilder, on the
 * thread that parsed them); this sink only writes them.
 *
 * - At most `maxOpenFiles` files are open at once (least recently used closed first), and a
 *   file idle for `idleCloseMs` is closed, so thousands of sending hosts never exhaust file
 *   descriptors and past days' files get closed for compression.
 * - Memory is bounded by `maxBufferedBytes` of lines not yet written. While the disk is only
 *   slow, `write` waits (the pipeline queue fills, TCP reads pause). While a file fails (disk
 *   full), its oldest lines are shed instead, counted as `disk_full` and logged, so a full
 *   disk never stops the SQL side of the collector; writing resumes when space returns.
 * - Durability (`--archive-fsync`): lines are handed to the kernel in one write per file
 *   once 64 KiB of them wait, and at most 50 ms after they arrived.
 *   `always`: a batch completes only once fsynced (nothing acknowledged is lost on power
 *   failure). `interval`: fsync every `tickMs` (up to a second lost on power failure).
 *   `never`: the kernel decides (its writeback delay, typically 30 s). A crash of the
 *   collector alone loses only the lines not yet handed to the kernel (those 50 ms).
 */
import { mkdirSync, realpathSync } from 'node:fs';
import { join, sep } from 'node:path';
import type { Logger, RateLimitedLog } from '../../log.js';
import type { Sink, SinkHealth, WriteOutcome } from '../../pipeline/sink.js';
import type { ArchiveGroup } from '../../pipeline/prepared-batch.js';
import type { Stats } from '../../stats.js';
import type { ZoneClock } from '../../zone-clock.js';
import type { ArchiveLayout } from './archive-layout.js';
import { ArchiveMaintenance, type SweepReport } from './archive-maintenance.js';
import { CurrentLinks } from './current-link.js';
import { FileWriter, type FsyncPolicy } from './file-writer.js';

export interface ArchiveSinkOptions {
  root: string;
  layout: ArchiveLayout;
  clock: ZoneClock;
  stats: Stats;
  log: Logger;
  warnings: RateLimitedLog;
  maxOpenFiles: number;
  fileMode: number;
  rotateSizeBytes: number;
  fsync: FsyncPolicy;
  compress: 'gzip' | 'none';
  retainDays: number;
  /** Subscribes to reopen requests (SIGHUP); returns the unsubscribe function. */
  onReopenRequest?: (reopen: () => void) => () => void;
  maxBufferedBytes?: number;
  /** Lines of a file gather up to `gatherBytes`, at most `gatherMs`, before one write. */
  gatherBytes?: number;
  gatherMs?: number;
  tickMs?: number;
  idleCloseMs?: number;
  /** Delay before the first maintenance sweep, then between sweeps. */
  sweepDelayMs?: number;
  sweepEveryMs?: number;
  now?: () => number;
}

/**
 * A write call per file per batch cost more than the lines it carried: at 100 hosts a batch
 * of 2,000 records gave 20-line writes, each with its promises, a thread-pool hop and a
 * syscall. Gathered to 64 KiB (or 50 ms), a file gets a few writes a second.
 */
const DEFAULTS = { maxBufferedBytes: 64 * 1024 * 1024, gatherBytes: 64 * 1024, gatherMs: 50,
  tickMs: 1000, idleCloseMs: 300_000, sweepDelayMs: 10_000, sweepEveryMs: 900_000 };
const DISK_RETRY_MS = 1000;
/** Absolute paths of relative ones, kept while they are few (one per file written lately). */
const PATH_CACHE_LIMIT = 10_000;

export class ArchiveSink implements Sink {
  readonly name = 'archive';
  readonly #options: ArchiveSinkOptions & typeof DEFAULTS;
  readonly #now: () => number;
  readonly #writers = new Map<string, FileWriter>();
  /** Writers being closed, by path: later writers of the path wait for them. */
  readonly #closing = new Map<string, { file: string; done: Promise<unknown> }>();
  readonly #claims = new Map<string, Promise<unknown>>();
  readonly #paths = new Map<string, string>();
  #root = '';
  #links: CurrentLinks | null = null;
  #maintenance: ArchiveMaintenance | null = null;
  #sweeping: Promise<SweepReport> | null = null;
  #timers: NodeJS.Timeout[] = [];
  #unsubscribe: (() => void) | null = null;
  #failingSince: number | null = null;

  constructor(options: ArchiveSinkOptions) {
    this.#options = { ...DEFAULTS, ...options };
    this.#now = options.now ?? Date.now;
  }

  async open(): Promise<void> {
    const { root, fileMode } = this.#options;
    mkdirSync(root, { recursive: true, mode: directoryModeOf(fileMode) });
    this.#root = realpathSync(root);
    this.#links = new CurrentLinks(this.#root, this.#options.layout);
    this.#maintenance = this.#createMaintenance();
    this.#unsubscribe = this.#options.onReopenRequest?.(() => void this.reopen()) ?? null;
    this.#every(this.#options.tickMs, () => this.#tick());
    this.#every(this.#options.gatherMs, () => this.#writeOut());
    const first = setTimeout(() => {
      void this.maintain();
      this.#every(this.#options.sweepEveryMs, () => void this.maintain());
    }, this.#options.sweepDelayMs);
    first.unref();
    this.#timers.push(first);
  }

  async write(batch: readonly ArchiveGroup[]): Promise<WriteOutcome> {
    const touched = new Set<FileWriter>();
    let lines = 0;
    for (const group of batch) {
      const path = this.#pathOf(group.path);
      const writer = this.#writers.get(path) ?? await this.#newWriter(path);
      this.#writers.delete(path);
      this.#writers.set(path, writer);
      writer.write(group.chunk);
      touched.add(writer);
      lines += group.chunk.lines;
    }
    this.#options.stats.storedArchive += lines;
    await this.#keepWithinBudget();
    if (this.#options.fsync === 'always') await Promise.all([...touched].map((w) => w.flush()));
    return { kind: 'written', written: lines };
  }

  /** Resolves once everything handed over so far is written, evicted files included. */
  async flush(): Promise<void> {
    await Promise.all([...[...this.#writers.values()].map((writer) => writer.flush()),
      ...[...this.#closing.values()].map((closing) => closing.done)]);
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers = [];
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#maintenance?.stop();
    await this.#sweeping?.catch(() => undefined);

    const writers = [...this.#writers.values()];
    this.#writers.clear();
    await Promise.all([...writers.map((writer) => this.#closeWriter(writer)),
      ...[...this.#closing.values()].map((closing) => closing.done)]);
  }

  health(): SinkHealth {
    const failing = [...this.#writers.values()].some((writer) => writer.failing);
    if (!failing) {
      this.#failingSince = null;
      return { ok: true };
    }
    this.#failingSince ??= this.#now();
    return { ok: false, reason: 'archive writes failing', since: this.#failingSince };
  }

  /** SIGHUP: every open file is opened again by name on its next write (logrotate). */
  async reopen(): Promise<void> {
    const writers = [...this.#writers.values()];
    await Promise.all(writers.map((writer) => writer.reopen()));
    this.#options.log.info({ files: writers.length }, 'archive files reopened');
  }

  /** One maintenance sweep (gzip, retention); sweeps never overlap. */
  maintain(): Promise<SweepReport> {
    if (this.#maintenance === null) return Promise.resolve({ compressed: 0, deleted: 0 });
    this.#sweeping ??= this.#maintenance.sweep().finally(() => {
      this.#sweeping = null;
    });
    return this.#sweeping;
  }

  /** Files open or being closed, for tests and gauges. */
  get openFiles(): number {
    return this.#writers.size + this.#closing.size;
  }

  /** The file of a rendered path; always inside the root (tokens cannot hold `/` or `..`). */
  #pathOf(relative: string): string {
    const cached = this.#paths.get(relative);
    if (cached !== undefined) return cached;

    const path = join(this.#root, relative);
    if (!path.startsWith(this.#root + sep)) {
      throw new Error(`Archive path ${JSON.stringify(relative)} leaves the archive root`);
    }
    if (this.#paths.size >= PATH_CACHE_LIMIT) this.#paths.clear();
    this.#paths.set(relative, path);
    return path;
  }

  /**
   * Writers being closed still hold their files, so they count against --archive-max-open:
   * a new writer waits until the least recently used ones have closed.
   */
  async #newWriter(path: string): Promise<FileWriter> {
    const limit = this.#options.maxOpenFiles;
    const closingAtOnce = Math.max(1, Math.floor(limit / 4));
    while (this.#writers.size + this.#closing.size >= limit) {
      const [oldest] = this.#writers;
      if (oldest !== undefined && this.#closing.size < closingAtOnce) {
        this.#retire(...oldest);
        continue;
      }
      await Promise.race([...this.#closing.values()].map((closing) => closing.done));
    }
    const existing = this.#writers.get(path);
    if (existing !== undefined) return existing;

    const { layout, rotateSizeBytes, fileMode, fsync, gatherBytes, warnings } = this.#options;
    const writer = new FileWriter(path, {
      layout, root: this.#root, rotateSizeBytes, fileMode, fsync, gatherBytes,
      directoryMode: directoryModeOf(fileMode),
      retryMs: DISK_RETRY_MS,
      now: this.#now,
      waitFor: (file) => this.#waitFor(path, file),
      onOpen: (file) => this.#links?.point(file),
      onError: (error, file) => warnings.warn('archive-write', { path: file,
        code: error.code, err_message: error.message }, 'archive write failed, retrying'),
    });
    this.#writers.set(path, writer);
    return writer;
  }

  /** An evicted writer of the same path and a compression of the file must finish first. */
  async #waitFor(basePath: string, file: string): Promise<void> {
    await this.#closing.get(basePath)?.done;
    while (this.#claims.has(file)) await this.#claims.get(file);
  }

  #retire(path: string, writer: FileWriter): void {
    this.#writers.delete(path);
    const closing = { file: writer.currentPath, done: Promise.resolve() };
    closing.done = this.#closeWriter(writer).finally(() => {
      if (this.#closing.get(path) === closing) this.#closing.delete(path);
    });
    this.#closing.set(path, closing);
  }

  async #closeWriter(writer: FileWriter): Promise<void> {
    const lost = await writer.close();
    if (lost > 0) this.#lost(lost, writer.currentPath);
  }

  /** Bounds memory: sheds lines of failing files, waits for the others to catch up. */
  async #keepWithinBudget(): Promise<void> {
    const limit = this.#options.maxBufferedBytes;
    let pending = this.#pendingBytes();
    if (pending <= limit) return;

    for (const writer of this.#writers.values()) {
      if (pending <= limit) break;
      const before = writer.pendingBytes;
      const lines = writer.shed(pending - limit);
      pending -= before - writer.pendingBytes;
      if (lines > 0) this.#lost(lines, writer.currentPath);
    }
    if (pending <= limit) return;
    await Promise.all([...this.#writers.values()]
      .filter((writer) => !writer.failing && writer.pendingBytes > 0)
      .map((writer) => writer.flush()));
  }

  #pendingBytes(): number {
    let total = 0;
    for (const writer of this.#writers.values()) total += writer.pendingBytes;
    return total;
  }

  #writeOut(): void {
    for (const writer of this.#writers.values()) writer.writeOut();
  }

  #tick(): void {
    const idleBefore = this.#now() - this.#options.idleCloseMs;
    for (const [path, writer] of this.#writers) {
      if (writer.idle && writer.lastWriteAt < idleBefore) {
        this.#retire(path, writer);
        continue;
      }
      if (this.#options.fsync === 'interval') void writer.sync();
      void writer.checkMoved();
    }
  }

  #createMaintenance(): ArchiveMaintenance {
    const { layout, clock, compress, retainDays, log, warnings } = this.#options;
    return new ArchiveMaintenance({ root: this.#root, layout, clock, compress, retainDays, log,
      warnings, now: this.#now,
      isOpen: (file) => this.#isOpen(file),
      claim: (file, work) => this.#claim(file, work) });
  }

  #isOpen(file: string): boolean {
    for (const writer of this.#writers.values()) if (writer.currentPath === file) return true;
    for (const closing of this.#closing.values()) if (closing.file === file) return true;
    return false;
  }

  async #claim(file: string, work: () => Promise<void>): Promise<void> {
    const done = work();
    this.#claims.set(file, done.catch(() => undefined));
    try {
      await done;
    } finally {
      this.#claims.delete(file);
    }
  }

  #lost(lines: number, path: string): void {
    this.#options.stats.drop('disk_full', lines);
    this.#options.stats.storedArchive -= lines;
    this.#options.warnings.warn('archive-lost', { path, lines },
      'archive lines lost: the disk refused them');
  }

  #every(ms: number, run: () => void): void {
    const timer = setInterval(run, ms);
    timer.unref();
    this.#timers.push(timer);
  }
}

/** Directories get the file mode's read bits as search bits too: 0640 → 0750. */
export function directoryModeOf(fileMode: number): number {
  return fileMode | ((fileMode & 0o444) >> 2);
}
