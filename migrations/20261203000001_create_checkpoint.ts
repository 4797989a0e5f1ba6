/**
 * One row per collector instance sharing the `logs` table: the last committed batch sequence
 * and spool position, written in the same transaction as the batch's rows. It is how a batch
 * whose COMMIT outcome was lost with the connection is recognised as committed, and where a
 * restarted collector resumes its spool (DESIGN.md §8: keyed by --instance).
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  const client = String(knex.client.config.client);
  await knex.schema.createTable('logharbor_checkpoint', (table) => {
    table.string('instance', 255).primary();
    table.bigInteger('batch_seq').notNullable();
    table.string('spool_segment', 64).notNullable().defaultTo('');
    table.bigInteger('spool_offset').notNullable().defaultTo(0);
    table.datetime('updated_at', { precision: 3, useTz: false }).notNullable();
    if (client.includes('mysql')) {
      table.charset('utf8mb4');
      table.engine('InnoDB');
    }
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('logharbor_checkpoint');
}
