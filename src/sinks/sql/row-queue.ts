/**
 * A FIFO of rows with O(1) take from the front: a head index instead of `shift()`, compacted
 * once enough has been taken to be worth the copy.
 */
import type { LogRow } from '../row.js';

const COMPACT_AFTER = 4096;

export class RowQueue {
  #rows: LogRow[] = [];
  #head = 0;

  get length(): number {
    return this.#rows.length - this.#head;
  }

  push(row: LogRow): void {
    this.#rows.push(row);
  }

  /** Puts rows back in front, in their order (they are older than everything queued). */
  unshift(rows: LogRow[]): void {
    this.#rows = [...rows, ...this.#rows.slice(this.#head)];
    this.#head = 0;
  }

  take(count: number): LogRow[] {
    const end = Math.min(this.#rows.length, this.#head + count);
    const taken = this.#rows.slice(this.#head, end);
    this.#head = end;
    if (this.#head === this.#rows.length) this.clear();
    else if (this.#head >= COMPACT_AFTER) {
      this.#rows = this.#rows.slice(this.#head);
      this.#head = 0;
    }
    return taken;
  }

  takeAll(): LogRow[] {
    return this.take(this.length);
  }

  clear(): void {
    this.#rows = [];
    this.#head = 0;
  }
}
