/**
 * The archive sink: each record becomes one line in the file its path template names, under
 * the archive root. At most `maxOpenFiles` files are open at once (least recently used closed
 * first), so thousands of sending hosts never exhaust file descriptors.
 */
import { mkdirSync, realpathSync } from 'node:fs';
import { join, sep } from 'node:path';
import type { Logger, RateLimitedLog } from '../../log.js';
import type { Sink, SinkHealth, WriteOutcome } from '../../pipeline/sink.js';
import type { LogRecord } from '../../record.js';
import type { Stats } from '../../stats.js';
import type { ZoneClock } from '../../zone-clock.js';
import type { RowMapper } from '../row.js';
import { FileWriter } from './file-writer.js';
import { formatLine } from './line-format.js';
import type { PathTemplate } from './path-template.js';

export interface ArchiveSinkOptions {
  root: string;
  template: PathTemplate;
  mapper: RowMapper;
  clock: ZoneClock;
  stats: Stats;
  log: Logger;
  warnings: RateLimitedLog;
  maxOpenFiles?: number;
  fileMode?: number;
  /** Buffered bytes per file while its disk refuses writes. */
  maxBufferedBytes?: number;
}

const DEFAULT_MAX_OPEN_FILES = 256;
const DIRECTORY_MODE = 0o750;
const DISK_RETRY_MS = 1000;

export class ArchiveSink implements Sink {
  readonly name = 'archive';
  readonly #options: ArchiveSinkOptions;
  readonly #writers = new Map<string, FileWriter>();
  readonly #closing = new Map<string, Promise<void>>();
  #root = '';
  #failingSince: number | null = null;

  constructor(options: ArchiveSinkOptions) {
    this.#options = options;
  }

  async open(): Promise<void> {
    mkdirSync(this.#options.root, { recursive: true, mode: DIRECTORY_MODE });
    this.#root = realpathSync(this.#options.root);
  }

  async write(batch: LogRecord[]): Promise<WriteOutcome> {
    const byFile = new Map<string, string[]>();
    for (const record of batch) {
      const path = this.#pathOf(record);
      const lines = byFile.get(path);
      if (lines === undefined) byFile.set(path, [this.#line(record)]);
      else lines.push(this.#line(record));
    }

    for (const [path, lines] of byFile) this.#writer(path).write(lines.join(''), lines.length);
    this.#options.stats.storedArchive += batch.length;
    return { kind: 'written', written: batch.length };
  }

  async flush(): Promise<void> {
    await Promise.all([...this.#writers.values()].map((writer) => writer.flush()));
  }

  async close(): Promise<void> {
    const writers = [...this.#writers.values()];
    this.#writers.clear();
    await Promise.all([...writers.map((writer) => writer.close()), ...this.#closing.values()]);
  }

  health(): SinkHealth {
    const failing = [...this.#writers.values()].some((writer) => writer.failing);
    if (!failing) {
      this.#failingSince = null;
      return { ok: true };
    }
    this.#failingSince ??= Date.now();
    return { ok: false, reason: 'archive writes failing', since: this.#failingSince };
  }

  #line(record: LogRecord): string {
    const { mapper, clock } = this.#options;
    return formatLine({ datetime: clock.formatRfc3339(mapper.eventTime(record)),
      host: mapper.host(record), program: record.appName, pid: record.procId,
      msg: record.message });
  }

  /** The file for a record; always inside the root (tokens cannot hold `/` or `..`). */
  #pathOf(record: LogRecord): string {
    const relative = this.#options.template.render({ host: this.#options.mapper.host(record),
      record });
    const path = join(this.#root, relative);
    if (path.startsWith(this.#root + sep)) return path;
    throw new Error(`Archive path ${JSON.stringify(relative)} leaves the archive root`);
  }

  #writer(path: string): FileWriter {
    const existing = this.#writers.get(path);
    if (existing !== undefined) {
      this.#writers.delete(path);
      this.#writers.set(path, existing);
      return existing;
    }

    const writer = new FileWriter(path, {
      fileMode: this.#options.fileMode ?? 0o640,
      directoryMode: DIRECTORY_MODE,
      maxBufferedBytes: this.#options.maxBufferedBytes ?? 16 * 1024 * 1024,
      retryMs: DISK_RETRY_MS,
      after: this.#closing.get(path),
      onError: (error, file) => this.#options.warnings.warn('archive-write', { path: file,
        code: error.code }, 'archive write failed, retrying'),
      onLoss: (lines, file) => this.#lost(lines, file),
    });
    this.#writers.set(path, writer);
    this.#evictBeyondLimit();
    return writer;
  }

  #evictBeyondLimit(): void {
    const limit = this.#options.maxOpenFiles ?? DEFAULT_MAX_OPEN_FILES;
    for (const [path, writer] of this.#writers) {
      if (this.#writers.size <= limit) return;
      this.#writers.delete(path);
      const closed = writer.close().finally(() => {
        if (this.#closing.get(path) === closed) this.#closing.delete(path);
      });
      this.#closing.set(path, closed);
    }
  }

  #lost(lines: number, path: string): void {
    this.#options.stats.drop('disk_full', lines);
    this.#options.stats.storedArchive -= lines;
    this.#options.log.error({ path, lines }, 'archive lines lost: disk full');
  }
}
