/**
 * Migrations are imported statically, so the compiled command line finds them whatever the
 * build layout, and are named without a file extension, so a schema made from the TypeScript
 * sources and one made by the compiled build are the same to knex (DEPS.md §4).
 */
import type { Knex } from 'knex';
import * as createLogs from '../../../migrations/20261203000000_create_logs.js';
import * as createCheckpoint from '../../../migrations/20261203000001_create_checkpoint.js';

interface Migration {
  name: string;
  module: Knex.Migration;
}

const MIGRATIONS: Migration[] = [
  { name: '20261203000000_create_logs', module: createLogs },
  { name: '20261203000001_create_checkpoint', module: createCheckpoint },
];

const migrationSource: Knex.MigrationSource<Migration> = {
  getMigrations: async () => MIGRATIONS,
  getMigrationName: (migration) => migration.name,
  getMigration: async (migration) => migration.module,
};

export interface SchemaState {
  pending: string[];
  /** Applied migrations this build does not know: the schema is newer than the program. */
  unknown: string[];
}

export async function migrateLatest(knex: Knex): Promise<string[]> {
  const [, applied] = await knex.migrate.latest({ migrationSource }) as [number, string[]];
  return applied;
}

export async function schemaState(knex: Knex): Promise<SchemaState> {
  const known = new Set(MIGRATIONS.map((migration) => migration.name));
  const hasTable = await knex.schema.hasTable('knex_migrations');
  const applied: string[] = hasTable
    ? (await knex('knex_migrations').select('name')).map((row: { name: string }) => row.name)
    : [];
  const appliedSet = new Set(applied);
  return {
    pending: [...known].filter((name) => !appliedSet.has(name)),
    unknown: applied.filter((name) => !known.has(name)),
  };
}
