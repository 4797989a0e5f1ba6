/**
 * The `logs` table of DESIGN.md §3. The first nine columns keep the php-syslog-ng names so
 * existing queries and front ends work; the rest add what that schema lacked. One migration
 * serves MySQL/MariaDB, SQLite and PostgreSQL: knex maps the types, and SQLite gets TEXT for
 * the JSON columns (its `json` type name would have NUMERIC affinity).
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  const client = String(knex.client.config.client);
  const sqlite = client.includes('sqlite');

  await knex.schema.createTable('logs', (table) => {
    table.bigIncrements('seq');
    table.string('host', 255).notNullable();
    table.string('facility', 12).notNullable();
    table.string('priority', 10).notNullable();
    table.string('level', 10).notNullable();
    table.string('tag', 10).notNullable();
    table.datetime('datetime', { precision: 0, useTz: false }).notNullable();
    table.string('program', 255).nullable();
    table.text('msg', 'mediumtext').notNullable();
    table.datetime('received_at', { precision: 3, useTz: false }).notNullable();
    table.string('source_ip', 45).notNullable();
    table.tinyint('facility_num').unsigned().notNullable();
    table.tinyint('severity_num').unsigned().notNullable();
    table.string('pid', 128).nullable();
    table.string('msgid', 32).nullable();
    if (sqlite) {
      table.text('sd').nullable();
      table.text('fields').nullable();
    } else {
      table.json('sd').nullable();
      table.json('fields').nullable();
    }
    table.string('format', 16).notNullable();

    table.index(['host', 'datetime'], 'logs_host_datetime');
    table.index(['datetime'], 'logs_datetime');
    table.index(['program', 'datetime'], 'logs_program_datetime');
    table.index(['severity_num', 'datetime'], 'logs_severity_datetime');
    if (client.includes('mysql')) {
      table.charset('utf8mb4');
      table.engine('InnoDB');
    }
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('logs');
}
