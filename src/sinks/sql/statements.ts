/**
 * SQL text the sink's parts share: the row INSERT of every engine, and what SQLite
 * connections run on the main thread (migrations, checkpoint reads) and in the writer thread
 * (rows). Nothing here may load knex, which the writer thread does without.
 */
import { ROW_COLUMNS } from '../row.js';

/**
 * WAL: readers (an admin's `select`) never block the writer. `synchronous=NORMAL`: a power
 * failure may lose the last transactions, never corrupt the file. A busy database (another
 * connection writing) is waited for rather than failed.
 */
export const SQLITE_PRAGMAS = ['journal_mode = WAL', 'synchronous = NORMAL',
  'busy_timeout = 5000'] as const;

/** The checkpoint row of an instance, inserted or replaced (values: checkpointValues order). */
export const SQLITE_CHECKPOINT = 'insert into "logharbor_checkpoint" ("instance", ' +
  '"batch_seq", "spool_segment", "spool_offset", "updated_at") values (?, ?, ?, ?, ?) on ' +
  'conflict ("instance") do update set "batch_seq" = excluded."batch_seq", ' +
  '"spool_segment" = excluded."spool_segment", "spool_offset" = excluded."spool_offset", ' +
  '"updated_at" = excluded."updated_at"';

/** `insert into logs (...) values (?, ...), ...` for `rows` rows, quoted with `quote`. */
export function insertStatement(rows: number, quote: '"' | '`'): string {
  const columns = ROW_COLUMNS.map((column) => `${quote}${column}${quote}`).join(', ');
  const tuple = `(${ROW_COLUMNS.map(() => '?').join(', ')})`;
  return `insert into ${quote}logs${quote} (${columns}) values ` +
    Array.from({ length: rows }, () => tuple).join(', ');
}
