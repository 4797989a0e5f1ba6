/**
 * The disk spool: SQL rows the database cannot take now, kept in order until it can.
 *
 *   DIR/000000000007-1f3a9c2e.spool   segment files, read in number order
 *   line = JSON of a LogRow | {"$attempt": SEQ, "rows": N}
 *
 * An `$attempt` marker says the next N rows were sent once as batch SEQ with an unknown
 * outcome; the reader skips them when the database's checkpoint shows SEQ committed. Segments
 * are append-only, written synchronously a whole line at a time, and deleted once every row in
 * them is committed. Positions (segment name, byte offset) are what the database checkpoint
 * stores, so after a crash replay restarts exactly after the last committed row. The random part
 * of a name keeps a wiped and recreated spool from matching an old checkpoint.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readSync, statSync,
  unlinkSync, writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { LogRow } from '../row.js';

export interface SpoolPosition {
  segment: string;
  offset: number;
}

export type SpoolEntry =
  | { kind: 'row'; row: LogRow; end: SpoolPosition }
  | { kind: 'attempt'; seq: number; rows: number; end: SpoolPosition }
  | { kind: 'corrupt'; text: string; end: SpoolPosition };

interface Segment {
  name: string;
  number: number;
  size: number;
  /** Epoch ms the segment was started (its birth time, or mtime where the disk keeps none). */
  createdAt: number;
}

export interface SpoolOptions {
  directory: string;
  maxBytes: number;
  /** A segment is closed for appends at this size. */
  segmentBytes?: number;
}

const SEGMENT_PATTERN = /^(\d{12})-[0-9a-f]{8}\.spool$/;
const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
const READ_CHUNK_BYTES = 4 * 1024 * 1024;

export class Spool {
  readonly directory: string;
  readonly #maxBytes: number;
  readonly #segmentBytes: number;
  #segments: Segment[] = [];
  #appendFd: number | null = null;
  /** Where the next read starts. */
  #cursor: SpoolPosition | null = null;
  /** Bytes before this position are committed; they only wait for their segment's deletion. */
  #acknowledged: SpoolPosition | null = null;
  #records = 0;
  #dirty = false;

  constructor(options: SpoolOptions) {
    this.directory = options.directory;
    this.#maxBytes = options.maxBytes;
    this.#segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
  }

  /** Finds the segments a previous run left; their rows count as unread until `seek`. */
  open(): void {
    mkdirSync(this.directory, { recursive: true, mode: 0o750 });
    this.#segments = readdirSync(this.directory)
      .map((name) => ({ name, match: SEGMENT_PATTERN.exec(name) }))
      .filter((entry) => entry.match !== null)
      .map((entry) => segmentOf(join(this.directory, entry.name), entry.name,
        Number(entry.match?.[1])))
      .sort((left, right) => left.number - right.number);
    this.#records = this.#segments.reduce((sum, segment) =>
      sum + countLines(join(this.directory, segment.name)), 0);
    this.#cursor = this.#firstPosition();
    this.#acknowledged = this.#cursor;
  }

  /** Bytes not yet committed to the database. */
  get bytes(): number {
    const total = this.#segments.reduce((sum, segment) => sum + segment.size, 0);
    return total - (this.#acknowledged === null ? 0 : this.#offsetIn(this.#acknowledged));
  }

  /** Rows (and markers) not yet committed. */
  get records(): number {
    return this.#records;
  }

  /**
   * When the oldest uncommitted row was spooled, to within one segment: the start of the first
   * segment still holding such rows; null while nothing waits.
   */
  get oldestAt(): number | null {
    if (this.bytes === 0) return null;
    return this.#segments[0]?.createdAt ?? null;
  }

  get full(): boolean {
    return this.bytes >= this.#maxBytes;
  }

  /** True while some written entry has not been read back. */
  get hasUnread(): boolean {
    return this.#cursor !== null && this.#isBefore(this.#cursor, this.#end());
  }

  /** True when nothing is left to commit: the spool can be forgotten. */
  get empty(): boolean {
    return this.#records === 0 && !this.hasUnread;
  }

  /**
   * Appends entries in order; false (nothing written) when they would pass the size cap.
   * `attempt` first records that these rows were already sent once as batch `seq`.
   */
  append(rows: LogRow[], attempt?: { seq: number }): boolean {
    if (rows.length === 0) return true;
    const lines: string[] = [];
    if (attempt !== undefined) {
      lines.push(JSON.stringify({ $attempt: attempt.seq, rows: rows.length }));
    }
    for (const row of rows) lines.push(JSON.stringify(row));
    const text = `${lines.join('\n')}\n`;
    const bytes = Buffer.byteLength(text);
    if (this.bytes + bytes > this.#maxBytes) return false;

    const segment = this.#writableSegment();
    const fd = this.#appendFd as number;
    try {
      writeSync(fd, text);
    } catch {
      // A full disk may have taken part of the text: cut it off so every line stays whole.
      ftruncateSync(fd, segment.size);
      return false;
    }
    segment.size += bytes;
    this.#records += lines.length;
    this.#dirty = true;
    this.#cursor ??= { segment: segment.name, offset: 0 };
    this.#acknowledged ??= this.#cursor;
    return true;
  }

  /**
   * Moves the read cursor to a committed position from the database checkpoint. Segments
   * before it are deleted; a position in no local segment means every local row is newer.
   */
  seek(position: SpoolPosition | null): void {
    const index = position === null ? -1
      : this.#segments.findIndex((segment) => segment.name === position.segment);
    if (index === -1 || position === null) {
      this.#cursor = this.#firstPosition();
    } else {
      this.#cursor = { segment: position.segment, offset: position.offset };
    }
    this.acknowledge(this.#cursor);
    this.#records = this.#countUnread();
  }

  /** Reads up to `maxEntries` entries from the cursor and moves it past them. */
  read(maxEntries: number): SpoolEntry[] {
    const entries: SpoolEntry[] = [];
    while (entries.length < maxEntries && this.hasUnread) {
      const cursor = this.#cursor as SpoolPosition;
      const segment = this.#segments.find((candidate) => candidate.name === cursor.segment);
      if (segment === undefined || cursor.offset >= segment.size) {
        this.#cursor = this.#nextSegmentStart(cursor.segment);
        continue;
      }
      this.#readFrom(segment, cursor.offset, maxEntries, entries);
    }
    return entries;
  }

  /** Everything before `position` is committed: delete the segments it has left behind. */
  acknowledge(position: SpoolPosition | null): void {
    if (position === null) return;
    this.#acknowledged = position;
    while (this.#segments.length > 0 && this.#segments[0].name !== position.segment) {
      this.#deleteSegment(this.#segments[0]);
    }
  }

  /** Counts entries as committed (the caller acknowledges their position separately). */
  committed(entries: number): void {
    this.#records = Math.max(0, this.#records - entries);
  }

  /** After everything was committed: drop the last segments and start afresh. */
  clear(): void {
    for (const segment of [...this.#segments]) this.#deleteSegment(segment);
    this.#records = 0;
    this.#cursor = null;
    this.#acknowledged = null;
  }

  /** Makes appended data durable; called once a second while spooling and at close. */
  sync(): void {
    if (this.#appendFd === null || !this.#dirty) return;
    fsyncSync(this.#appendFd);
    this.#dirty = false;
  }

  close(): void {
    this.sync();
    this.#closeAppend();
  }

  /** Reads from `offset` of `segment` until `entries` holds `maxEntries` or the segment ends. */
  #readFrom(segment: Segment, offset: number, maxEntries: number, entries: SpoolEntry[]): void {
    const remaining = segment.size - offset;
    let length = Math.min(READ_CHUNK_BYTES, remaining);
    let buffer = readAt(join(this.directory, segment.name), offset, length);
    // One row can be longer than a chunk (a 4 MiB message, escaped): read on to its LF.
    while (!buffer.includes(0x0a) && length < remaining) {
      length = Math.min(length * 2, remaining);
      buffer = readAt(join(this.directory, segment.name), offset, length);
    }
    const filled = buffer.length;

    let start = 0;
    while (entries.length < maxEntries) {
      const newline = buffer.indexOf(0x0a, start);
      if (newline === -1) break;
      const end = { segment: segment.name, offset: offset + newline + 1 };
      entries.push(parseEntry(buffer.toString('utf8', start, newline), end));
      start = newline + 1;
    }
    if (!buffer.includes(0x0a)) {
      // A line without its LF can only be the tail of a crashed append: it is skipped whole.
      entries.push({ kind: 'corrupt', text: buffer.toString('utf8', 0, filled),
        end: { segment: segment.name, offset: offset + filled } });
      start = filled;
    }
    this.#cursor = { segment: segment.name, offset: offset + start };
  }

  /** Lines from the cursor on: what `records` reports after a restart's seek. */
  #countUnread(): number {
    const cursor = this.#cursor;
    if (cursor === null) return 0;
    return this.#segments.reduce((sum, segment) => sum + (segment.name === cursor.segment
      ? countLines(join(this.directory, segment.name), cursor.offset)
      : countLines(join(this.directory, segment.name))), 0);
  }

  #writableSegment(): Segment {
    const last = this.#segments[this.#segments.length - 1];
    if (last !== undefined && this.#appendFd !== null && last.size < this.#segmentBytes) {
      return last;
    }

    this.#closeAppend();
    const number = (last?.number ?? 0) + 1;
    const name = `${String(number).padStart(12, '0')}-${randomBytes(4).toString('hex')}.spool`;
    this.#appendFd = openSync(join(this.directory, name), 'a', 0o640);
    const segment = { name, number, size: 0, createdAt: Date.now() };
    this.#segments.push(segment);
    return segment;
  }

  #deleteSegment(segment: Segment): void {
    const last = this.#segments[this.#segments.length - 1];
    if (segment === last) this.#closeAppend();
    unlinkSync(join(this.directory, segment.name));
    this.#segments = this.#segments.filter((candidate) => candidate !== segment);
  }

  #closeAppend(): void {
    if (this.#appendFd === null) return;
    closeSync(this.#appendFd);
    this.#appendFd = null;
  }

  #firstPosition(): SpoolPosition | null {
    const first = this.#segments[0];
    return first === undefined ? null : { segment: first.name, offset: 0 };
  }

  #nextSegmentStart(name: string): SpoolPosition {
    const index = this.#segments.findIndex((segment) => segment.name === name);
    const next = this.#segments[index + 1];
    return next === undefined ? this.#end() : { segment: next.name, offset: 0 };
  }

  #end(): SpoolPosition {
    const last = this.#segments[this.#segments.length - 1];
    return last === undefined
      ? { segment: '', offset: 0 }
      : { segment: last.name, offset: last.size };
  }

  #isBefore(left: SpoolPosition, right: SpoolPosition): boolean {
    const leftIndex = this.#segments.findIndex((segment) => segment.name === left.segment);
    const rightIndex = this.#segments.findIndex((segment) => segment.name === right.segment);
    return leftIndex < rightIndex || (leftIndex === rightIndex && left.offset < right.offset);
  }

  /** Bytes of the spool before `position`. */
  #offsetIn(position: SpoolPosition): number {
    let bytes = 0;
    for (const segment of this.#segments) {
      if (segment.name === position.segment) return bytes + position.offset;
      bytes += segment.size;
    }
    return 0;
  }
}

function parseEntry(text: string, end: SpoolPosition): SpoolEntry {
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    if (typeof value.$attempt === 'number') {
      return { kind: 'attempt', seq: value.$attempt, rows: Number(value.rows), end };
    }
    return { kind: 'row', row: value as unknown as LogRow, end };
  } catch {
    return { kind: 'corrupt', text, end };
  }
}

function readAt(path: string, offset: number, length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  const fd = openSync(path, 'r');
  let filled = 0;
  try {
    while (filled < length) {
      const read = readSync(fd, buffer, filled, length - filled, offset + filled);
      if (read === 0) break;
      filled += read;
    }
  } finally {
    closeSync(fd);
  }
  return buffer.subarray(0, filled);
}

function segmentOf(path: string, name: string, number: number): Segment {
  const stat = statSync(path);
  return { name, number, size: stat.size,
    createdAt: stat.birthtimeMs > 0 ? stat.birthtimeMs : stat.mtimeMs };
}

function countLines(path: string, from = 0): number {
  const fd = openSync(path, 'r');
  const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);
  let lines = 0;
  try {
    for (let position = from; ;) {
      const read = readSync(fd, buffer, 0, buffer.length, position);
      if (read === 0) return lines;
      for (let index = 0; index < read; index += 1) if (buffer[index] === 0x0a) lines += 1;
      position += read;
    }
  } finally {
    closeSync(fd);
  }
}
