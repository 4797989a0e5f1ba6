/**
 * Every option of `logharbor run`, once: the command line, the `LOGHARBOR_*` environment and
 * the JSON config file all read this table (DESIGN.md §2). An option with `issue` set is
 * known but not built yet: giving it is an error that says so.
 */
export interface OptionSpec {
  name: string;
  description: string;
  /** Shown in --help and used when no layer sets the option. */
  default?: string | string[];
  /** Describes a default computed at start-up (system zone, host name). */
  defaultDescription?: string;
  repeatable?: boolean;
  group: string;
  /** The issue that builds this option; until then it is refused. */
  issue?: number;
}

const LISTENERS = 'Listeners:';
const STORAGE = 'Storage:';
const PARSING = 'Parsing and limits:';
const OPERATIONS = 'Operations:';

export const OPTIONS: readonly OptionSpec[] = [
  { name: 'udp', group: LISTENERS, repeatable: true, default: ['0.0.0.0:514'],
    description: 'UDP listener HOST:PORT (IPv6 as [::]:514); repeat for several; none disables' },
  { name: 'tcp', group: LISTENERS, repeatable: true, default: ['0.0.0.0:514'],
    description: 'TCP listener HOST:PORT (octet counting and LF framing); none disables' },
  { name: 'http', group: LISTENERS, default: '127.0.0.1:9514',
    description: 'HTTP address for /healthz, /readyz, /stats.json and /metrics; none disables' },
  { name: 'db', group: STORAGE, default: 'sqlite:./data/logs.sqlite',
    description: 'SQL table: sqlite:PATH, mysql://USER@HOST:PORT/DB, postgres://USER@HOST:PORT/DB' +
      ' or none' },
  { name: 'migrate', group: STORAGE, default: 'auto',
    description: 'auto: create or upgrade the schema at start; never: refuse an old schema' },
  { name: 'archive', group: STORAGE, default: './data/archive',
    description: 'archive root directory; none disables the archive' },
  { name: 'archive-path', group: STORAGE, default: '{host}/{date}.log',
    description: 'file path under the root; tokens {host} {source_ip} {program} {facility} ' +
      '{severity} {date} {year} {month} {day} {hour} {instance}' },
  { name: 'archive-format', group: STORAGE, default: 'line',
    description: 'archive format: line (text), json (every column) or raw (original bytes)' },
  { name: 'spool', group: STORAGE, default: './data/spool',
    description: 'disk spool for SQL rows while the database is unavailable, and ' +
      'dead-letter.jsonl' },
  { name: 'max-message-size', group: PARSING, default: '65536',
    description: 'bytes kept of a message; longer ones are truncated and flagged' },
  { name: 'queue-size', group: PARSING, default: '100000',
    description: 'records held in memory between receivers and sinks' },
  { name: 'timezone', group: PARSING, defaultDescription: 'the system zone',
    description: 'IANA zone for stamps without one, for datetime/received_at and {date}' },
  { name: 'host-from', group: PARSING, default: 'header',
    description: 'header: host from the message; source: always the sender address' },
  { name: 'shutdown-timeout', group: OPERATIONS, default: '10',
    description: 'seconds a stop keeps reading open TCP connections before closing them' },
  { name: 'instance', group: OPERATIONS, defaultDescription: 'the machine host name',
    description: 'this collector\'s name, for {instance} and metrics' },
  { name: 'log-level', group: OPERATIONS, default: 'info',
    description: 'own log level: fatal error warn info debug trace silent' },

  { name: 'db-password-file', group: STORAGE,
    description: 'file holding the database password (not readable by others)' },
  { name: 'batch-size', group: STORAGE, default: '1000',
    description: 'rows per SQL batch (one transaction)' },
  { name: 'flush-interval', group: STORAGE, default: '200',
    description: 'milliseconds a partial SQL batch waits before it is written' },
  { name: 'spool-max', group: STORAGE, default: '1GB',
    description: 'disk spool cap for SQL rows while the database is unavailable' },
  { name: 'rotate-size', group: STORAGE, default: '100MB',
    description: 'archive file size that starts {date}.1.log, .2, ... within a day' },
  { name: 'retain-days', group: STORAGE, default: '30',
    description: 'days archive files are kept; 0 keeps them forever' },
  { name: 'compress', group: STORAGE, default: 'gzip',
    description: 'gzip or none: compression of closed archive files of past days' },
  { name: 'archive-max-open', group: STORAGE, default: '256',
    description: 'archive files open at once (least recently used closed first)' },
  { name: 'archive-fsync', group: STORAGE, default: 'interval',
    description: 'archive fsync: interval (every second), never, or always (every batch)' },
  { name: 'archive-mode', group: STORAGE, default: '0640',
    description: 'file mode of new archive files (octal); directories get x where r is set' },
  { name: 'tls', group: LISTENERS, issue: 8, repeatable: true, description: 'TLS listener' },
  { name: 'tls-cert', group: LISTENERS, issue: 8, description: 'TLS certificate' },
  { name: 'tls-key', group: LISTENERS, issue: 8, description: 'TLS key' },
  { name: 'tls-ca', group: LISTENERS, issue: 8, description: 'TLS client CA' },
  { name: 'tls-client-auth', group: LISTENERS, issue: 8, description: 'TLS client auth' },
  { name: 'tls-peer', group: LISTENERS, issue: 8, repeatable: true, description: 'TLS peers' },
  { name: 'allow', group: LISTENERS, issue: 8, repeatable: true, description: 'allowed CIDR' },
  { name: 'rate-limit', group: PARSING, issue: 8, description: 'per-sender rate' },
  { name: 'rate-burst', group: PARSING, issue: 8, description: 'per-sender burst' },
  { name: 'max-connections', group: LISTENERS, issue: 8, description: 'connection cap' },
  { name: 'max-connections-per-sender', group: LISTENERS, issue: 8,
    description: 'connection cap per sender' },
  { name: 'idle-timeout', group: LISTENERS, issue: 8, description: 'idle TCP timeout' },
  { name: 'user', group: OPERATIONS, issue: 8, description: 'user to run as' },
  { name: 'group', group: OPERATIONS, issue: 8, description: 'group to run as' },
  { name: 'ready-grace', group: OPERATIONS, default: '60',
    description: 'seconds a sink may be unable to write (database down, spooling) before ' +
      '/readyz answers 503' },
  { name: 'watch-host', group: OPERATIONS, repeatable: true,
    description: 'host (as in the host column) whose last message time /stats.json and ' +
      '/metrics report; repeat, at most 100' },
];

export const OPTIONS_BY_NAME: ReadonlyMap<string, OptionSpec> =
  new Map(OPTIONS.map((option) => [option.name, option]));

/** The environment variable of an option: `archive-path` → `LOGHARBOR_ARCHIVE_PATH`. */
export function environmentName(option: string): string {
  return `LOGHARBOR_${option.toUpperCase().replaceAll('-', '_')}`;
}
