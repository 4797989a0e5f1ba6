/**
 * `logs` rows and quiet collaborators for tests that drive the SQL sink's parts directly
 * (Spool, DeadLetterFile, SqlRunner) instead of through the command line.
 */
import { pino } from 'pino';
import { RateLimitedLog, type Logger } from '../../src/log.js';
import type { LogRow } from '../../src/sinks/row.js';

/** A complete row whose `msg` is `text`, as the mapper would make it for user.notice. */
export function logRow(text: string): LogRow {
  return {
    host: 'host1', facility: 'user', priority: 'notice', level: 'notice', tag: '0d',
    datetime: '2026-12-03 19:20:00', program: 'app', msg: text,
    received_at: '2026-12-03 19:20:00.123', source_ip: '127.0.0.1', facility_num: 1,
    severity_num: 5, pid: null, msgid: null, sd: null, fields: null, format: 'rfc3164',
  };
}

/** Rows `prefix 0` .. `prefix count-1`. */
export function logRows(count: number, prefix = 'row', first = 0): LogRow[] {
  return Array.from({ length: count }, (_, index) => logRow(`${prefix} ${first + index}`));
}

/** A logger that keeps every event in `events` (pino JSON objects) and prints nothing. */
export function capturingLogger(): { log: Logger; warnings: RateLimitedLog;
  events: Array<Record<string, unknown>> } {
  const events: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => {
    events.push(JSON.parse(line) as Record<string, unknown>);
  } });
  return { log, warnings: new RateLimitedLog(log), events };
}
