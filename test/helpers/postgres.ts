/**
 * PostgreSQL for tests: `LH_TEST_PG_URL` names a server (CI sets it, and then it must be
 * reachable); each test gets a database of its own, dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_URL = process.env.LH_TEST_PG_URL;

export const PG_SKIP = PG_URL === undefined
  ? 'LH_TEST_PG_URL is not set: PostgreSQL tests skipped ' +
    '(e.g. LH_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/test)'
  : false;

const TIMESTAMP_OID = 1114;

export interface PgTestDatabase {
  url: string;
  query<T = Record<string, unknown>>(sql: string, values?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

/**
 * Creates a fresh database on the test server; throws if the server is unreachable.
 * Timestamps come back as the server's text, as an admin's psql shows them.
 */
export async function createPgDatabase(): Promise<PgTestDatabase> {
  const name = `lh_test_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);

  const url = new URL(PG_URL as string);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.href, types: {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') => oid === TIMESTAMP_OID
      ? (text: string) => text
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
  } });
  await client.connect();
  return {
    url: url.href,
    query: async <T>(sql: string, values: unknown[] = []) =>
      (await client.query(sql, values)).rows as T[],
    drop: async () => {
      await client.end();
      await admin.query(`drop database ${name} with (force)`);
      await admin.end();
    },
  };
}
