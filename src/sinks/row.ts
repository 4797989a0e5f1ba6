/**
 * The mapping from a record to a row of the `logs` table (DESIGN.md §3), shared by the SQL
 * sink and the archive's json format so both say the same thing.
 *
 * Limits never cost a row: a value longer than its column is cut (by code points, as MySQL
 * counts) and named in `fields.truncated`. A NUL is stored as U+FFFD, which PostgreSQL would
 * otherwise refuse. Times are formatted here in `--timezone` and bound as strings, never as
 * JS Dates, which drivers shift by the process zone.
 */
import {
  FACILITY_NAMES, RECORD_FORMATS, SEVERITY_NAMES, type LogRecord, type RecordFields,
  type RecordFormat,
} from '../record.js';
import type { ZoneClock } from '../zone-clock.js';

export type HostFrom = 'header' | 'source';

export interface LogRow {
  host: string;
  facility: string;
  priority: string;
  level: string;
  tag: string;
  datetime: string;
  program: string | null;
  msg: string;
  received_at: string;
  source_ip: string;
  facility_num: number;
  severity_num: number;
  pid: string | null;
  msgid: string | null;
  sd: string | null;
  fields: string | null;
  format: RecordFormat;
}

/** The columns in table order, without `seq`, which only the database assigns. */
export const ROW_COLUMNS: ReadonlyArray<keyof LogRow> = ['host', 'facility', 'priority',
  'level', 'tag', 'datetime', 'program', 'msg', 'received_at', 'source_ip', 'facility_num',
  'severity_num', 'pid', 'msgid', 'sd', 'fields', 'format'];

/** `tag` by PRI: two lower-case hex digits. */
const TAGS = Array.from({ length: 192 }, (_, pri) => pri.toString(16).padStart(2, '0'));

/**
 * Rows as one flat array of values, row after row: the form in which rows cross from a parse
 * thread. Copying plain values costs a fraction of copying objects, whose every property the
 * receiving thread would look up and add one by one. The columns that follow from others
 * (`facility`, `priority`, `level` and `tag` from the numbers, `format` from its index) are
 * not sent: rebuilt from constants, they cost no copy, and no memory per row while it waits.
 */
export type RowValues = Array<string | number | null>;

/** Values sent per row (see appendRowValues). */
const SENT_COLUMNS = 12;

export function appendRowValues(values: RowValues, row: LogRow): void {
  values.push(row.host, row.datetime, row.program, row.msg, row.received_at, row.source_ip,
    row.facility_num * 8 + row.severity_num, row.pid, row.msgid, row.sd, row.fields,
    RECORD_FORMATS.indexOf(row.format));
}

/** The rows of `values` (appendRowValues' output), as objects again. */
export function rowsFromValues(values: RowValues): LogRow[] {
  const rows: LogRow[] = [];
  for (let at = 0; at + SENT_COLUMNS <= values.length; at += SENT_COLUMNS) {
    const pri = values[at + 6] as number;
    const facility = pri >> 3;
    const severity = pri & 7;
    rows.push({ host: values[at] as string, facility: FACILITY_NAMES[facility],
      priority: SEVERITY_NAMES[severity], level: SEVERITY_NAMES[severity], tag: TAGS[pri],
      datetime: values[at + 1] as string, program: values[at + 2] as string | null,
      msg: values[at + 3] as string, received_at: values[at + 4] as string,
      source_ip: values[at + 5] as string, facility_num: facility, severity_num: severity,
      pid: values[at + 7] as string | null, msgid: values[at + 8] as string | null,
      sd: values[at + 9] as string | null, fields: values[at + 10] as string | null,
      format: RECORD_FORMATS[values[at + 11] as number] });
  }
  return rows;
}

/** Column limits in characters; `msg` is bounded by `--max-message-size` instead. */
export const COLUMN_LIMITS = { host: 255, program: 255, pid: 128, msgid: 32 } as const;


export interface RowMapperOptions {
  clock: ZoneClock;
  hostFrom: HostFrom;
}

export class RowMapper {
  readonly #clock: ZoneClock;
  readonly #hostFrom: HostFrom;

  constructor(options: RowMapperOptions) {
    this.#clock = options.clock;
    this.#hostFrom = options.hostFrom;
  }

  /** `host`: the header's hostname, or the sender's address (`--host-from source`). */
  host(record: LogRecord): string {
    if (this.#hostFrom === 'source') return record.meta.sourceIp;
    return record.hostname ?? record.meta.sourceIp;
  }

  /** The event time: the message's own stamp, or the receive time when it has none. */
  eventTime(record: LogRecord): number {
    return (record.timestamp ?? record.meta.receivedAt).getTime();
  }

  toRow(record: LogRecord): LogRow {
    const fields: RecordFields = { ...record.fields };
    const cut = (name: keyof typeof COLUMN_LIMITS, value: string | null): string | null =>
      value === null ? null : fitColumn(name, value, fields);

    return {
      host: cut('host', this.host(record)) as string,
      facility: FACILITY_NAMES[record.facility],
      priority: SEVERITY_NAMES[record.severity],
      level: SEVERITY_NAMES[record.severity],
      tag: TAGS[record.facility * 8 + record.severity],
      datetime: this.#clock.formatSqlSeconds(this.eventTime(record)),
      program: cut('program', record.appName),
      msg: withoutNul(record.message),
      received_at: this.#clock.formatSqlMillis(record.meta.receivedAt.getTime()),
      source_ip: record.meta.sourceIp,
      facility_num: record.facility,
      severity_num: record.severity,
      pid: cut('pid', record.procId),
      msgid: cut('msgid', record.msgId),
      sd: record.structuredData === null ? null : jsonWithoutNul(record.structuredData),
      fields: Object.keys(fields).length === 0 ? null : jsonWithoutNul(fields),
      format: record.format,
    };
  }
}

function fitColumn(name: keyof typeof COLUMN_LIMITS, value: string,
  fields: RecordFields): string {
  const clean = withoutNul(value);
  const limit = COLUMN_LIMITS[name];
  if (clean.length <= limit) return clean;

  const codePoints = Array.from(clean);
  if (codePoints.length <= limit) return clean;
  const truncated = Array.isArray(fields.truncated) ? [...fields.truncated] : [];
  if (!truncated.includes(name)) truncated.push(name);
  fields.truncated = truncated;
  return codePoints.slice(0, limit).join('');
}

export function withoutNul(text: string): string {
  return text.includes('\0') ? text.replaceAll('\0', '\uFFFD') : text;
}

function jsonWithoutNul(value: object): string {
  const json = JSON.stringify(value);
  if (!json.includes('\\u0000')) return json;
  return JSON.stringify(value, (_key, inner: unknown) =>
    typeof inner === 'string' ? withoutNul(inner) : inner);
}
