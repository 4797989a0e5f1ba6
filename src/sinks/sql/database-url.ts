/**
 * `--db` URLs: `sqlite:PATH`, `mysql://USER[:PASSWORD]@HOST[:PORT]/DATABASE` (also
 * `mariadb://`), `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE` (also `postgresql://`), or
 * `none`. The password may instead come from `--db-password-file` or `LOGHARBOR_DB_PASSWORD`,
 * so it never has to appear in a process listing.
 */
export type ServerEngine = 'mysql' | 'postgres';

export type DatabaseTarget =
  | { engine: 'sqlite'; filename: string }
  | { engine: ServerEngine; host: string; port: number; user: string;
      password: string | null; database: string };

export class DatabaseUrlError extends Error {
  readonly code = 'LH_BAD_DB_URL';
}

const USAGE = 'use sqlite:PATH, mysql://USER@HOST:PORT/DATABASE or ' +
  'postgres://USER@HOST:PORT/DATABASE';
const DEFAULT_PORTS: Record<ServerEngine, number> = { mysql: 3306, postgres: 5432 };
const DEFAULT_USERS: Record<ServerEngine, string> = { mysql: 'root', postgres: 'postgres' };

export function parseDatabaseUrl(text: string): DatabaseTarget {
  if (text.startsWith('sqlite:')) {
    const filename = text.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (filename === '') {
      throw new DatabaseUrlError('sqlite: needs a file path, e.g. sqlite:./data/logs.sqlite');
    }
    if (filename === ':memory:') {
      throw new DatabaseUrlError('sqlite::memory: would lose every row when the collector ' +
        'stops; give a file path, e.g. sqlite:./data/logs.sqlite');
    }
    return { engine: 'sqlite', filename };
  }

  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new DatabaseUrlError(`not a URL; ${USAGE}`);
  }
  const engine = engineOf(url.protocol);
  const database = decodeURIComponent(url.pathname.slice(1));
  if (database === '' || url.hostname === '') {
    throw new DatabaseUrlError(`the URL needs a host and a database; ${USAGE}`);
  }
  return {
    engine,
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port === '' ? DEFAULT_PORTS[engine] : Number(url.port),
    user: decodeURIComponent(url.username) || DEFAULT_USERS[engine],
    password: url.password === '' ? null : decodeURIComponent(url.password),
    database,
  };
}

function engineOf(protocol: string): ServerEngine {
  switch (protocol) {
    case 'mysql:':
    case 'mariadb:':
      return 'mysql';
    case 'postgres:':
    case 'postgresql:':
      return 'postgres';
    default:
      throw new DatabaseUrlError(`unknown database kind ${protocol.slice(0, -1)}; ${USAGE}`);
  }
}

/** The URL with any password replaced by `***`, for logs and `check-config`. */
export function maskDatabaseUrl(text: string): string {
  return text.replace(/^([a-z]+:\/\/[^:@/]*):.*@/i, '$1:***@');
}
