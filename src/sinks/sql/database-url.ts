/**
 * `--db` URLs: `sqlite:PATH`, `mysql://USER[:PASSWORD]@HOST[:PORT]/DATABASE` (also
 * `mariadb://`), or `none`. The password may instead come from `LOGHARBOR_DB_PASSWORD`, so it
 * never has to appear in a process listing.
 */
export type DatabaseTarget =
  | { engine: 'sqlite'; filename: string }
  | { engine: 'mysql'; host: string; port: number; user: string; password: string | null;
      database: string };

export class DatabaseUrlError extends Error {
  readonly code = 'LH_BAD_DB_URL';
}

export function parseDatabaseUrl(text: string): DatabaseTarget {
  if (text.startsWith('sqlite:')) {
    const filename = text.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (filename === '') {
      throw new DatabaseUrlError('sqlite: needs a file path, e.g. sqlite:./data/logs.sqlite');
    }
    return { engine: 'sqlite', filename };
  }

  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new DatabaseUrlError('expected sqlite:PATH or mysql://USER@HOST:PORT/DATABASE');
  }
  if (url.protocol === 'postgres:' || url.protocol === 'postgresql:') {
    throw new DatabaseUrlError('PostgreSQL is not available yet (it comes with issue #4); ' +
      'use sqlite:PATH or mysql://USER@HOST:PORT/DATABASE');
  }
  if (url.protocol !== 'mysql:' && url.protocol !== 'mariadb:') {
    throw new DatabaseUrlError(`unknown database kind ${url.protocol.slice(0, -1)}; ` +
      'use sqlite:PATH or mysql://USER@HOST:PORT/DATABASE');
  }
  const database = decodeURIComponent(url.pathname.slice(1));
  if (database === '' || url.hostname === '') {
    throw new DatabaseUrlError('a MySQL URL needs a host and a database, ' +
      'e.g. mysql://root@127.0.0.1:3306/logs');
  }
  return {
    engine: 'mysql',
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port === '' ? 3306 : Number(url.port),
    user: decodeURIComponent(url.username) || 'root',
    password: url.password === '' ? null : decodeURIComponent(url.password),
    database,
  };
}

/**
 * The URL with any password replaced by `***`, for logs and `check-config`. The password runs
 * to the last `@`: a raw `@` or `/` in it must not leave the rest of it on show.
 */
export function maskDatabaseUrl(text: string): string {
  return text.replace(/^([a-z]+:\/\/[^:@/]*):.*@/i, '$1:***@');
}
