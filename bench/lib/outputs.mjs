// Where a system's messages end up, watched from outside so that every system is measured the
// same way: lines in files under a directory, rows in a MariaDB or SQLite `logs` table, or the
// count a minimal receiver keeps. Each output's poll() answers { count, lastAt }: how many
// messages have arrived, and when the last one did (epoch ms).
//
// For files the end is the newest file's modification time, so how often they are polled does
// not change the figure; lines are counted incrementally, each byte read once. For tables the
// end is the first poll that saw the final row (MAX(seq), an index lookup), so it is late by at
// most one poll interval; the count is then checked with COUNT(*).
import { closeSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { once } from './processes.mjs';

const LF = 0x0a;
const READ_BYTES = 1 << 20;

/** Lines in the regular files under `root` (symbolic links such as `current` are skipped). */
export class FileOutput {
  #root;
  #files = new Map();

  constructor(root, { manyFiles = false } = {}) {
    this.#root = root;
    this.name = 'lines';
    // Walking 100,000 files costs the machine the collector runs on: poll them less often
    // (the end is their modification time, so a late poll does not change the figure).
    this.pollMs = manyFiles ? 2000 : 100;
  }

  poll() {
    let count = 0;
    let lastAt = 0;
    for (const path of this.#walk()) {
      const file = this.#files.get(path) ?? { offset: 0, lines: 0 };
      const stat = statSync(path, { throwIfNoEntry: false });
      if (stat === undefined) continue;
      if (stat.size > file.offset) this.#readNew(path, file, stat.size);
      this.#files.set(path, file);
      count += file.lines;
      lastAt = Math.max(lastAt, stat.mtimeMs);
    }
    return { count, lastAt };
  }

  /** The number of files written, for scenarios about file handles. */
  get files() {
    return this.#files.size;
  }

  *#walk() {
    let entries;
    try {
      entries = readdirSync(this.#root, { recursive: true, withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.isFile()) yield join(entry.parentPath, entry.name);
    }
  }

  #readNew(path, file, size) {
    const buffer = Buffer.allocUnsafe(READ_BYTES);
    const fd = openSync(path, 'r');
    try {
      while (file.offset < size) {
        const read = readSync(fd, buffer, 0, Math.min(READ_BYTES, size - file.offset),
          file.offset);
        if (read === 0) break;
        file.lines += countLines(buffer, read);
        file.offset += read;
      }
    } finally {
      closeSync(fd);
    }
  }
}

function countLines(buffer, length) {
  let lines = 0;
  for (let at = buffer.indexOf(LF); at !== -1 && at < length; at = buffer.indexOf(LF, at + 1)) {
    lines += 1;
  }
  return lines;
}

/** Rows of `logs` in a MariaDB database; reconnects when the server went away. */
export class MariadbOutput {
  #server;
  #database;
  #connection = null;
  #seen = { top: -1, at: 0 };

  constructor(server, database) {
    this.#server = server;
    this.#database = database;
    this.name = 'rows';
    this.pollMs = 50;
  }

  async poll() {
    const top = await this.#query('select coalesce(max(seq), 0) as value from logs');
    if (top === null) return { count: this.#seen.count ?? 0, lastAt: this.#seen.at };
    if (top !== this.#seen.top) {
      const count = await this.#query('select count(*) as value from logs');
      this.#seen = { top, at: Date.now(), count: count ?? this.#seen.count };
    }
    return { count: this.#seen.count, lastAt: this.#seen.at };
  }

  async close() {
    await this.#connection?.end().catch(() => undefined);
    this.#connection = null;
  }

  /** One number from `sql`, or null while the server cannot be reached. */
  async #query(sql) {
    try {
      this.#connection ??= await this.#server.connect(this.#database);
      const [[{ value }]] = await this.#connection.query(sql);
      return Number(value);
    } catch {
      this.#connection?.destroy();
      this.#connection = null;
      return null;
    }
  }
}

/** Rows of `logs` in a SQLite file, read through its WAL while the collector writes. */
export class SqliteOutput {
  #file;
  #database = null;
  #seen = { top: -1, at: 0, count: 0 };

  constructor(file) {
    this.#file = file;
    this.name = 'rows';
    this.pollMs = 50;
  }

  poll() {
    this.#database ??= new Database(this.#file, { readonly: true, fileMustExist: true });
    const top = this.#database.prepare('select coalesce(max(seq), 0) as value from logs').get();
    if (top.value !== this.#seen.top) {
      const { value } = this.#database.prepare('select count(*) as value from logs').get();
      this.#seen = { top: top.value, at: Date.now(), count: value };
    }
    return { count: this.#seen.count, lastAt: this.#seen.at };
  }

  close() {
    this.#database?.close();
  }
}

/** The count kept by bench/lib/node-recv.mjs, asked over its IPC channel. */
export class ReceiverOutput {
  #child;

  constructor(child) {
    this.#child = child;
    this.name = 'received';
    this.pollMs = 50;
  }

  async poll() {
    const reply = once(this.#child, 'message');
    this.#child.send('report');
    const [{ count, lastAt }] = await reply;
    return { count, lastAt };
  }
}

/**
 * Polls `outputs` until each holds its count of `targets`, or until none has grown for
 * `idleMs` once sending is over (`sent` resolved): a UDP load that lost messages, or a system
 * that stopped. Resolves with each output's last { count, lastAt }.
 */
export async function drain(outputs, { targets, sent, idleMs }) {
  let sendingDone = false;
  void sent.then(() => { sendingDone = true; });
  const pollMs = Math.max(...outputs.map((output) => output.pollMs));
  let last = null;
  let changedAt = Date.now();
  for (;;) {
    const now = Date.now();
    const figures = await Promise.all(outputs.map((output) => output.poll()));
    if (figures.every((figure, index) => figure.count >= targets[index])) return figures;
    const key = figures.map((figure) => figure.count).join();
    if (key !== last) [last, changedAt] = [key, now];
    if (sendingDone && now - changedAt > idleMs) return figures;
    await sleep(pollMs);
  }
}
