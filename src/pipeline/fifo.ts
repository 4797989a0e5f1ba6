/**
 * A first-in first-out queue on an array read from a head index. `Array.shift()` moves every
 * element that stays, so draining a long queue from the front with it costs the square of its
 * length; here taking only moves the head. The array is dropped once read out, or cut down
 * once enough lies behind the head to be worth the copy.
 */

export class Fifo<T> {
  /** Entries behind the head at which the array is cut down to what is still queued. */
  readonly #compactAfter: number;
  #items: T[] = [];
  #head = 0;

  constructor(compactAfter = 1024) {
    this.#compactAfter = compactAfter;
  }

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  /** The oldest entry, left queued; undefined when the queue is empty. */
  peek(): T | undefined {
    return this.#head < this.#items.length ? this.#items[this.#head] : undefined;
  }

  /** Takes the oldest entry; undefined when the queue is empty. */
  shift(): T | undefined {
    if (this.#head === this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#head += 1;
    this.#compact();
    return item;
  }

  /** Takes up to `count` of the oldest entries, oldest first. */
  take(count: number): T[] {
    const end = Math.min(this.#items.length, this.#head + Math.max(0, count));
    const taken = this.#items.slice(this.#head, end);
    this.#head = end;
    this.#compact();
    return taken;
  }

  takeAll(): T[] {
    return this.take(this.length);
  }

  /** Puts entries back in front, in their order: they are older than everything queued. */
  unshift(items: readonly T[]): void {
    this.#items = [...items, ...this.#items.slice(this.#head)];
    this.#head = 0;
  }

  clear(): void {
    this.#items = [];
    this.#head = 0;
  }

  #compact(): void {
    if (this.#head === this.#items.length) this.clear();
    else if (this.#head >= this.#compactAfter) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }
}
