/**
 * MariaDB/MySQL for tests: `LH_TEST_MYSQL_URL` names a server (CI sets it, and then it must be
 * reachable); each test gets a database of its own, dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';

export const MYSQL_URL = process.env.LH_TEST_MYSQL_URL;

export const MYSQL_SKIP = MYSQL_URL === undefined
  ? 'LH_TEST_MYSQL_URL is not set: MariaDB/MySQL tests skipped ' +
    '(e.g. LH_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test)'
  : false;

export interface TestDatabase {
  url: string;
  query<T = Record<string, unknown>>(sql: string, values?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

/** Creates a fresh database on the test server; throws if the server is unreachable. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const server = new URL(MYSQL_URL as string);
  const name = `lh_test_${randomBytes(4).toString('hex')}`;
  const connection = await mysql.createConnection({ host: server.hostname,
    port: Number(server.port || 3306), user: decodeURIComponent(server.username) || 'root',
    password: decodeURIComponent(server.password), dateStrings: true, charset: 'utf8mb4' });
  await connection.query(`create database \`${name}\` character set utf8mb4`);
  await connection.query(`use \`${name}\``);

  const url = new URL(server.href);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    query: async <T>(sql: string, values: unknown[] = []) =>
      (await connection.query(sql, values))[0] as T[],
    drop: async () => {
      await connection.query(`drop database \`${name}\``);
      await connection.end();
    },
  };
}
