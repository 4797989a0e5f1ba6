/**
 * Rows the database refused (a data error on that row alone) are appended to
 * `dead-letter.jsonl` in the spool directory, one JSON object per line with the error and the
 * complete row, so nothing refused is lost and an operator can replay it after a fix.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RejectedRecord } from '../../pipeline/sink.js';
import type { RowMapper } from '../row.js';

export class DeadLetterFile {
  readonly path: string;
  readonly #mapper: RowMapper;

  constructor(directory: string, mapper: RowMapper) {
    this.path = join(directory, 'dead-letter.jsonl');
    this.#mapper = mapper;
  }

  append(rejected: RejectedRecord[], now: Date = new Date()): void {
    if (rejected.length === 0) return;
    const lines = rejected.map(({ record, error }) => JSON.stringify({
      rejected_at: now.toISOString(),
      error: { code: (error as { code?: unknown }).code ?? null, message: error.message },
      row: this.#mapper.toRow(record),
    }) + '\n');
    mkdirSync(join(this.path, '..'), { recursive: true, mode: 0o750 });
    appendFileSync(this.path, lines.join(''), { mode: 0o640 });
  }
}
