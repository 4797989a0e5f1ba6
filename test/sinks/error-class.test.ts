import t from 'tap';
import { classifySqlError } from '../../src/sinks/sql/error-class.js';

/** A MySQL/MariaDB server or client error as mysql2 reports it. */
function mysqlError(errno: number, code: string): Error {
  return Object.assign(new Error(code), { errno, code });
}

/** A PostgreSQL error as pg reports it: the SQLSTATE in `code`. */
function postgresError(sqlState: string): Error {
  return Object.assign(new Error(sqlState), { code: sqlState });
}

/** A SQLite error as better-sqlite3 reports it: the extended result code in `code`. */
function sqliteError(code: string): Error {
  return Object.assign(new Error(code), { code });
}

/** A Node or driver error without a server errno. */
function driverError(code: string): Error {
  return Object.assign(new Error(code), { code });
}

t.test('MySQL errors about a row are data errors', async (t) => {
  const cases: Array<[number, string]> = [
    [1048, 'ER_BAD_NULL_ERROR'],
    [1062, 'ER_DUP_ENTRY'],
    [1264, 'ER_WARN_DATA_OUT_OF_RANGE'],
    [1265, 'WARN_DATA_TRUNCATED'],
    [1292, 'ER_TRUNCATED_WRONG_VALUE'],
    [1366, 'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD'],
    [1406, 'ER_DATA_TOO_LONG'],
    [1411, 'ER_WRONG_VALUE_FOR_TYPE'],
    [3140, 'ER_INVALID_JSON_TEXT'],
    [4025, 'ER_CONSTRAINT_FAILED'],
  ];
  for (const [errno, code] of cases) {
    t.equal(classifySqlError(mysqlError(errno, code)), 'data', `${errno} ${code}`);
  }
});

t.test('MySQL errors about the server or a lock are connection errors', async (t) => {
  const cases: Array<[number, string]> = [
    [2002, 'CR_CONNECTION_ERROR'],
    [2003, 'CR_CONN_HOST_ERROR'],
    [2006, 'CR_SERVER_GONE_ERROR'],
    [2013, 'CR_SERVER_LOST'],
    [4031, 'ER_CLIENT_INTERACTION_TIMEOUT'],
    [1205, 'ER_LOCK_WAIT_TIMEOUT'],
    [1213, 'ER_LOCK_DEADLOCK'],
    [1290, 'ER_OPTION_PREVENTS_STATEMENT'],
    [1836, 'ER_READ_ONLY_MODE'],
    [1040, 'ER_CON_COUNT_ERROR'],
    [1053, 'ER_SERVER_SHUTDOWN'],
    [1927, 'ER_CONNECTION_KILLED'],
    [1146, 'ER_NO_SUCH_TABLE'],
    [1045, 'ER_ACCESS_DENIED_ERROR'],
  ];
  for (const [errno, code] of cases) {
    t.equal(classifySqlError(mysqlError(errno, code)), 'connection', `${errno} ${code}`);
  }
});

t.test('network and driver errors are connection errors', async (t) => {
  for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'PROTOCOL_CONNECTION_LOST']) {
    t.equal(classifySqlError(driverError(code)), 'connection', code);
  }
});

t.test('PostgreSQL data exceptions and constraint violations are data errors', async (t) => {
  for (const sqlState of ['22001', '22007', '22008', '22021', '22P02', '22P05', '23502',
    '23505', '23514']) {
    t.equal(classifySqlError(postgresError(sqlState)), 'data', sqlState);
  }
});

t.test('PostgreSQL connection, shutdown and transaction errors are connection errors',
  async (t) => {
    for (const sqlState of ['08006', '08001', '57P01', '40001', '40P01', '25006', '53300']) {
      t.equal(classifySqlError(postgresError(sqlState)), 'connection', sqlState);
    }
  });

t.test('SQLite constraint, size and type errors are data errors', async (t) => {
  for (const code of ['SQLITE_CONSTRAINT', 'SQLITE_CONSTRAINT_NOTNULL',
    'SQLITE_CONSTRAINT_TRIGGER', 'SQLITE_TOOBIG', 'SQLITE_MISMATCH', 'SQLITE_RANGE']) {
    t.equal(classifySqlError(sqliteError(code)), 'data', code);
  }
});

t.test('SQLite busy, full, I/O and read-only errors are connection errors', async (t) => {
  for (const code of ['SQLITE_BUSY', 'SQLITE_FULL', 'SQLITE_IOERR_WRITE', 'SQLITE_READONLY']) {
    t.equal(classifySqlError(sqliteError(code)), 'connection', code);
  }
});

t.test('an unknown error is a connection error', async (t) => {
  t.equal(classifySqlError(new Error('something odd')), 'connection', 'plain Error');
  t.equal(classifySqlError(driverError('ENOTFOUND_SOMETHING')), 'connection', 'unknown code');
  t.equal(classifySqlError(mysqlError(9999, 'ER_UNKNOWN')), 'connection', 'unknown errno');
  t.equal(classifySqlError(undefined), 'connection', 'undefined');
  t.equal(classifySqlError(null), 'connection', 'null');
  t.equal(classifySqlError('a string'), 'connection', 'a string');
});

t.test('the verdict comes from the code, never from the message text', async (t) => {
  const wordy = Object.assign(new Error('Data too long for column msg'), { code: 'ECONNRESET' });
  t.equal(classifySqlError(wordy), 'connection');
});
