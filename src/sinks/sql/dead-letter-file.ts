/**
 * Rows the database refused (a data error on that row alone) are appended to
 * `dead-letter.jsonl` in the spool directory, one JSON object per line with the error and the
 * complete row, so nothing refused is lost and an operator can replay it after a fix.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { LogRow } from '../row.js';

export class DeadLetterFile {
  readonly path: string;

  constructor(directory: string) {
    this.path = join(directory, 'dead-letter.jsonl');
  }

  appendRow(row: LogRow, error: Error, now: Date = new Date()): void {
    this.#append({ rejected_at: now.toISOString(),
      error: { code: (error as { code?: unknown }).code ?? null, message: error.message }, row });
  }

  /** A spool line that could not be read back: kept as text. */
  appendText(text: string, reason: string, now: Date = new Date()): void {
    this.#append({ rejected_at: now.toISOString(), error: { code: null, message: reason },
      text });
  }

  #append(entry: object): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o750 });
    appendFileSync(this.path, `${JSON.stringify(entry)}\n`, { mode: 0o640 });
  }
}
