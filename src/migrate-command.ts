/**
 * `logharbor migrate`: create or upgrade the schema of `--db`, then exit 0; 2 when the
 * database cannot be reached or `--db none` leaves nothing to migrate.
 */
import type { Config } from './config.js';
import { connect } from './sinks/sql/database.js';
import { maskDatabaseUrl } from './sinks/sql/database-url.js';
import { migrateLatest } from './sinks/sql/migrations.js';

export async function runMigrate(config: Config, out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr): Promise<number> {
  if (config.db === null) {
    err.write('logharbor: Nothing to migrate: --db is none (give --db sqlite:PATH or ' +
      'mysql://USER@HOST:PORT/DB)\n');
    return 2;
  }

  const { knex } = connect(config.db.target, config.dbPassword);
  try {
    const applied = await migrateLatest(knex);
    out.write(applied.length === 0
      ? 'Schema already up to date\n'
      : `Applied migrations: ${applied.join(', ')}\n`);
    return 0;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    err.write(`logharbor: Cannot migrate ${maskDatabaseUrl(config.db.url)}: ` +
      `${typeof code === 'string' ? `${code} ` : ''}${(error as Error).message}\n`);
    return 2;
  } finally {
    await knex.destroy();
  }
}
