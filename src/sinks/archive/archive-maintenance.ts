/**
 * The archive's background sweep (DESIGN.md §4): closed files of past days are gzipped, and
 * files whose last day is more than `--retain-days` before today are deleted. It runs off the
 * hot path, one file at a time, and only touches files the path template made (read back
 * through the layout), never the `current` links nor anything else an operator keeps there.
 *
 * A file the sink still has open is skipped until a later sweep. While a file is compressed
 * or deleted it is claimed, so a late record for it waits instead of writing into a file that
 * is about to disappear.
 */
import { readdir, rm } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Logger, RateLimitedLog } from '../../log.js';
import type { ZoneClock } from '../../zone-clock.js';
import { dayNumber, type ArchiveLayout } from './archive-layout.js';
import { gzipFile, TEMPORARY_SUFFIX } from './gzip-file.js';

export interface ArchiveMaintenanceOptions {
  root: string;
  layout: ArchiveLayout;
  clock: ZoneClock;
  compress: 'gzip' | 'none';
  /** 0 keeps files forever. */
  retainDays: number;
  /** True while the sink has the file open or queued. */
  isOpen: (path: string) => boolean;
  /** Runs `work` with `path` claimed: opening it waits until the work is done. */
  claim: (path: string, work: () => Promise<void>) => Promise<void>;
  log: Logger;
  warnings: RateLimitedLog;
  now?: () => number;
}

export interface SweepReport {
  compressed: number;
  deleted: number;
}

export class ArchiveMaintenance {
  readonly #options: ArchiveMaintenanceOptions;
  readonly #now: () => number;
  readonly #abort = new AbortController();

  constructor(options: ArchiveMaintenanceOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  async sweep(): Promise<SweepReport> {
    const report: SweepReport = { compressed: 0, deleted: 0 };
    const today = dayNumber(this.#options.clock.formatDate(this.#now()));
    for (const path of await this.#files()) {
      if (this.#abort.signal.aborted) break;
      try {
        await this.#maintain(path, today, report);
      } catch (error) {
        this.#options.warnings.warn('archive-maintenance', { path,
          code: (error as NodeJS.ErrnoException).code, err_message: (error as Error).message },
        'archive maintenance failed for a file');
      }
    }
    if (report.compressed + report.deleted > 0) {
      this.#options.log.info(report, 'archive maintenance done');
    }
    return report;
  }

  /** Stops a sweep in progress; a compression under way is abandoned and its temp removed. */
  stop(): void {
    this.#abort.abort();
  }

  async #maintain(path: string, today: number, report: SweepReport): Promise<void> {
    const { layout, retainDays, compress, claim, isOpen } = this.#options;
    const name = relative(this.#options.root, path).split(sep).join('/');
    if (name.endsWith(TEMPORARY_SUFFIX)) {
      // Left by a compression that a crash interrupted; the original is still there.
      if (layout.describe(name.slice(0, -TEMPORARY_SUFFIX.length)) !== null) await rm(path);
      return;
    }

    const file = layout.describe(name);
    if (file === null || file.lastDay === null || isOpen(path)) return;
    const age = today - dayNumber(file.lastDay);
    if (retainDays > 0 && age > retainDays) {
      await claim(path, () => rm(path));
      report.deleted += 1;
    } else if (compress === 'gzip' && !file.gzipped && age >= 1) {
      await claim(path, () => gzipFile(path, this.#abort.signal));
      report.compressed += 1;
    }
  }

  /** Regular files under the root, down to the template's depth (links are skipped). */
  async #files(): Promise<string[]> {
    const files: string[] = [];
    const visit = async (directory: string, depth: number): Promise<void> => {
      const entries = await readdir(directory, { withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        const path = join(directory, entry.name);
        if (entry.isDirectory() && depth < this.#options.layout.depth) {
          await visit(path, depth + 1);
        } else if (entry.isFile() && depth === this.#options.layout.depth) {
          files.push(path);
        }
      }
    };
    await visit(this.#options.root, 1);
    return files;
  }
}
