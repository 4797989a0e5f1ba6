/**
 * Whether a failed insert is worth retrying, decided from the error's code alone (MySQL errno
 * or driver code, PostgreSQL SQLSTATE, SQLite result code); never from message text.
 *
 * - `connection`: the database, the network or a lock is the problem: reconnect, wait, retry
 *   the same batch. Unknown errors are treated this way too: a retry loses nothing, a wrong
 *   verdict of "bad data" would move good rows to the dead-letter file.
 * - `data`: the database refuses these rows: split the batch, keep the good rows, put the
 *   refused ones in the dead-letter file.
 */
export type SqlErrorClass = 'connection' | 'data';

const MYSQL_DATA_ERRNOS = new Set([
  1048, // ER_BAD_NULL_ERROR
  1062, // ER_DUP_ENTRY (like PostgreSQL's 23505: the row, not the link, is the problem)
  1264, // ER_WARN_DATA_OUT_OF_RANGE
  1265, // WARN_DATA_TRUNCATED
  1292, // ER_TRUNCATED_WRONG_VALUE (bad date)
  1366, // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD (bad string for the charset)
  1406, // ER_DATA_TOO_LONG
  1411, // ER_WRONG_VALUE_FOR_TYPE
  3140, // ER_INVALID_JSON_TEXT (MySQL 8)
  4025, // ER_CONSTRAINT_FAILED (MariaDB's JSON_VALID check)
]);

const SQLITE_DATA_CODES = new Set(['SQLITE_CONSTRAINT', 'SQLITE_MISMATCH', 'SQLITE_TOOBIG',
  'SQLITE_RANGE']);

interface CodedError {
  code?: unknown;
  errno?: unknown;
  sqlState?: unknown;
}

export function classifySqlError(error: unknown): SqlErrorClass {
  const coded = (error ?? {}) as CodedError;
  const code = typeof coded.code === 'string' ? coded.code : '';

  if (typeof coded.errno === 'number' && MYSQL_DATA_ERRNOS.has(coded.errno)) return 'data';
  if (isPostgresDataState(code)) return 'data';
  if (SQLITE_DATA_CODES.has(code.replace(/_[A-Z]+$/, '')) || SQLITE_DATA_CODES.has(code)) {
    return 'data';
  }
  return 'connection';
}

/** SQLSTATE classes 22 (data exception) and 23 (integrity constraint violation). */
function isPostgresDataState(code: string): boolean {
  return /^2[23][0-9A-Z]{3}$/.test(code);
}
