/**
 * SQLite's writes on a thread of their own. better-sqlite3 is synchronous and SQLite runs in
 * this process: on the main thread every row's insert (about 11 µs with the four indexes of
 * `logs`) is time the listeners cannot read their sockets, which lost datagrams from 50,000 a
 * second on; here the second core does it while the main thread parses.
 *
 * One commit at a time is what SqlRunner sends; each is answered (or rejected when the thread
 * ends, as a lost connection would be: SqlRunner then reopens the sink, which starts a new
 * thread, and replays). A refused commit keeps SQLite's code (SQLITE_CONSTRAINT_TRIGGER, ...)
 * so that it is classified as data or connection like any database error.
 */
import { Worker } from 'node:worker_threads';
import type { CommitReply, CommitRequest } from './sqlite-writer-thread.js';

const THREAD = new URL('./sqlite-writer-thread.js', import.meta.url);

export class SqliteWriterError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

interface Pending {
  resolve: () => void;
  reject: (error: Error) => void;
}

export class SqliteWriter {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #ended: Error | null = null;

  constructor(filename: string) {
    this.#worker = new Worker(THREAD, { workerData: { filename } });
    this.#worker.on('message', (reply: CommitReply) => this.#answer(reply));
    this.#worker.on('error', (error) => this.#end(new SqliteWriterError('LH_SQLITE_WRITER',
      `The SQLite writer thread failed: ${error.message}`)));
    this.#worker.on('exit', (code) => this.#end(new SqliteWriterError('LH_SQLITE_WRITER',
      `The SQLite writer thread ended (exit code ${code})`)));
  }

  /** Inserts the chunks' rows and the checkpoint in one transaction. */
  commit(chunks: unknown[][], checkpoint: unknown[]): Promise<void> {
    if (this.#ended !== null) return Promise.reject(this.#ended);
    const id = this.#nextId;
    this.#nextId += 1;
    const request: CommitRequest = { id, chunks, checkpoint };
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage(request);
    });
  }

  /** Ends the thread; a commit still waiting is rejected. Safe to call twice. */
  async close(): Promise<void> {
    this.#end(new SqliteWriterError('LH_SQLITE_WRITER', 'The SQLite writer was closed'));
    await this.#worker.terminate();
  }

  #answer(reply: CommitReply): void {
    const pending = this.#pending.get(reply.id);
    if (pending === undefined) return;
    this.#pending.delete(reply.id);
    if (reply.error === null) pending.resolve();
    else pending.reject(new SqliteWriterError(reply.error.code ?? 'SQLITE_ERROR',
      reply.error.message));
  }

  #end(error: Error): void {
    this.#ended ??= error;
    for (const pending of this.#pending.values()) pending.reject(this.#ended);
    this.#pending.clear();
  }
}
