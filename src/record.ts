/**
 * The parsed form of one syslog message. A record maps one-to-one onto a row of the `logs`
 * table (DESIGN.md §3) and onto one archive line; sinks never parse, they only map.
 */

export type Transport = 'udp' | 'tcp' | 'tls';

export type RecordFormat = 'rfc5424' | 'rfc3164' | 'cisco' | 'snare' | 'openerp' | 'unparsed';

export const RECORD_FORMATS: readonly RecordFormat[] =
  ['rfc5424', 'rfc3164', 'cisco', 'snare', 'openerp', 'unparsed'];

export interface ReceiveMeta {
  sourceIp: string;
  sourcePort: number;
  transport: Transport;
  /** The listener's configured address, e.g. `udp://0.0.0.0:514`. */
  listener: string;
  receivedAt: Date;
}

/** RFC 5424 structured data: `{"sd-id": {"param": "value"}}`, repeated params as arrays. */
export type StructuredData = Record<string, Record<string, string | string[]>>;

export type FieldValue = string | number | boolean | null | string[];

export type RecordFields = Record<string, FieldValue>;

export interface LogRecord {
  meta: ReceiveMeta;
  /** The frame as received, terminator removed; the archive's raw format writes it back. */
  raw: Buffer;
  facility: number;
  severity: number;
  /** The event time from the message; null when it has none or it is invalid. */
  timestamp: Date | null;
  hostname: string | null;
  appName: string | null;
  procId: string | null;
  msgId: string | null;
  structuredData: StructuredData | null;
  message: string;
  format: RecordFormat;
  /** Format-specific fields and parse flags; empty for a clean RFC message. */
  fields: RecordFields;
}

export const FACILITY_NAMES: readonly string[] = [
  'kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news',
  'uucp', 'cron', 'authpriv', 'ftp', 'ntp', 'security', 'console', 'solaris-cron',
  'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7',
];

export const SEVERITY_NAMES: readonly string[] =
  ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];

/** user.notice: what RFC 3164 §4.3.3 tells a relay to assume when the PRI is missing. */
export const DEFAULT_FACILITY = 1;
export const DEFAULT_SEVERITY = 5;

/** Adds `name` to `fields.truncated` once, keeping the list in the order limits were hit. */
export function flagTruncated(fields: RecordFields, name: string): void {
  const list = fields.truncated;
  if (Array.isArray(list)) {
    if (!list.includes(name)) list.push(name);
    return;
  }
  fields.truncated = [name];
}
