/**
 * One archive file, appended to asynchronously with one write in flight at a time.
 *
 * Callers hand over whole lines; a write call carries whole lines only, so a reader never
 * sees half a record from us. When the disk is full (or the file cannot be opened) the data
 * stays buffered and the write is retried every `retryMs`; memory stays under
 * `maxBufferedBytes` by dropping the oldest buffered lines, which `onLoss` reports so they
 * are counted (`disk_full`) and logged. Nothing else is ever dropped.
 */
import { closeSync, fsync, mkdirSync, openSync, write } from 'node:fs';
import { dirname } from 'node:path';

export interface FileWriterOptions {
  fileMode: number;
  directoryMode: number;
  maxBufferedBytes: number;
  retryMs: number;
  onError: (error: NodeJS.ErrnoException, path: string) => void;
  onLoss: (lines: number, path: string) => void;
  /** An earlier writer of the same file that must finish first, so lines stay in order. */
  after?: Promise<void>;
}

interface Pending {
  text: string;
  lines: number;
}

export class FileWriter {
  readonly path: string;
  readonly #options: FileWriterOptions;
  #fd: number | null = null;
  #pending: Pending[] = [];
  #pendingBytes = 0;
  #active: Promise<void> | null = null;
  #closed = false;
  #failing = false;
  #retryTimer: NodeJS.Timeout | null = null;

  constructor(path: string, options: FileWriterOptions) {
    this.path = path;
    this.#options = options;
  }

  /** Bytes still waiting to reach the file. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** True while writes fail and lines wait for space. */
  get failing(): boolean {
    return this.#failing;
  }

  write(text: string, lines: number): void {
    this.#pending.push({ text, lines });
    this.#pendingBytes += text.length;
    this.#shed();
    if (!this.#failing) this.#start();
  }

  /** Resolves once everything handed over so far is written (or still failing after a try). */
  async flush(): Promise<void> {
    while (this.#active !== null) await this.#active;
    if (this.#pending.length > 0 && !this.#failing) {
      this.#start();
      await this.#active;
    }
  }

  /** Flushes, makes the data durable and closes the file; safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#clearRetry();
    this.#failing = false;
    await this.flush();
    this.#closed = true;
    this.#clearRetry();
    this.#abandonPending();
    if (this.#fd === null) return;

    const fd = this.#fd;
    this.#fd = null;
    await new Promise<void>((resolve) => fsync(fd, () => resolve()));
    closeSync(fd);
  }

  #start(): void {
    if (this.#active !== null || this.#closed) return;
    this.#active = this.#drain().finally(() => {
      this.#active = null;
    });
  }

  async #drain(): Promise<void> {
    await this.#options.after;
    while (this.#pending.length > 0) {
      const batch = this.#pending;
      this.#pending = [];
      const text = batch.length === 1 ? batch[0].text : batch.map((entry) => entry.text).join('');
      try {
        await this.#writeAll(Buffer.from(text));
      } catch (error) {
        this.#pending = batch.concat(this.#pending);
        this.#fail(error as NodeJS.ErrnoException);
        return;
      }
      this.#pendingBytes -= text.length;
      this.#failing = false;
    }
  }

  async #writeAll(buffer: Buffer): Promise<void> {
    const fd = this.#open();
    let offset = 0;
    while (offset < buffer.length) {
      offset += await new Promise<number>((resolve, reject) => {
        write(fd, buffer, offset, buffer.length - offset, null,
          (error, written) => (error ? reject(error) : resolve(written)));
      });
    }
  }

  #open(): number {
    if (this.#fd !== null) return this.#fd;
    mkdirSync(dirname(this.path), { recursive: true, mode: this.#options.directoryMode });
    this.#fd = openSync(this.path, 'a', this.#options.fileMode);
    return this.#fd;
  }

  /**
   * A partial write may have put some of the batch in the file already; retrying the whole
   * batch could then repeat a few lines. That only happens on a full disk, where repeating a
   * line is better than losing one.
   */
  #fail(error: NodeJS.ErrnoException): void {
    this.#failing = true;
    this.#options.onError(error, this.path);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      this.#start();
    }, this.#options.retryMs);
    this.#retryTimer.unref();
  }

  #shed(): void {
    let lost = 0;
    while (this.#pendingBytes > this.#options.maxBufferedBytes && this.#pending.length > 1) {
      const oldest = this.#pending.shift() as Pending;
      this.#pendingBytes -= oldest.text.length;
      lost += oldest.lines;
    }
    if (lost > 0) this.#options.onLoss(lost, this.path);
  }

  /** At close, lines the disk still refuses are lost: report them rather than hide them. */
  #abandonPending(): void {
    const lost = this.#pending.reduce((sum, entry) => sum + entry.lines, 0);
    this.#pending = [];
    this.#pendingBytes = 0;
    if (lost > 0) this.#options.onLoss(lost, this.path);
  }

  #clearRetry(): void {
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
  }
}
