/**
 * The body of the SQLite writer thread (see sqlite-writer.ts): one better-sqlite3 connection,
 * statements prepared once per row count, one transaction per commit. Every commit is
 * answered, with the error's code and message when SQLite refused it, so the main thread can
 * classify it as it would any database's.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database, { type Statement } from 'better-sqlite3';
import { ROW_COLUMNS } from '../row.js';
import { insertStatement, SQLITE_CHECKPOINT, SQLITE_PRAGMAS } from './statements.js';

export interface CommitRequest {
  id: number;
  /** The bindings of each INSERT statement, in order: ROW_COLUMNS values a row. */
  chunks: unknown[][];
  checkpoint: unknown[];
}

export interface CommitReply {
  id: number;
  error: { code: string | null; message: string } | null;
}

const port = parentPort;
if (port === null) throw new Error('sqlite-writer-thread runs as a worker thread only');

const database = new Database((workerData as { filename: string }).filename);
for (const pragma of SQLITE_PRAGMAS) database.pragma(pragma);
const checkpoint = database.prepare(SQLITE_CHECKPOINT);
const inserts = new Map<number, Statement>();

function insertOf(rows: number): Statement {
  let statement = inserts.get(rows);
  if (statement === undefined) {
    statement = database.prepare(insertStatement(rows, '"'));
    inserts.set(rows, statement);
  }
  return statement;
}

const commit = database.transaction((request: CommitRequest) => {
  for (const values of request.chunks) insertOf(values.length / ROW_COLUMNS.length).run(values);
  checkpoint.run(request.checkpoint);
});

port.on('message', (request: CommitRequest) => {
  let reply: CommitReply = { id: request.id, error: null };
  try {
    commit(request);
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    reply = { id: request.id, error: { code: typeof code === 'string' ? code : null,
      message: String(message) } };
  }
  port.postMessage(reply);
});
