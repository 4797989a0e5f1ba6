/**
 * Every option of `logharbor run`, once: the command line, the `LOGHARBOR_*` environment and
 * the JSON config file all read this table (DESIGN.md §2).
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
  { name: 'parse-threads', group: PARSING, default: 'auto',
    description: 'threads that frame and parse messages; 0 parses on the main thread; auto: ' +
      'one per core, at most 4, none on one core' },
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
  { name: 'tls', group: LISTENERS, repeatable: true, default: ['none'],
    description: 'TLS listener HOST:PORT (RFC 5425, port 6514 by convention); needs ' +
      '--tls-cert and --tls-key' },
  { name: 'tls-cert', group: LISTENERS,
    description: 'PEM certificate (chain) of the TLS listeners; re-read on SIGHUP' },
  { name: 'tls-key', group: LISTENERS,
    description: 'PEM private key of --tls-cert; re-read on SIGHUP' },
  { name: 'tls-ca', group: LISTENERS,
    description: 'PEM CA certificate(s) that sign client certificates; re-read on SIGHUP' },
  { name: 'tls-client-auth', group: LISTENERS, default: 'none',
    description: 'client certificates: none, optional (checked when sent) or required' },
  { name: 'tls-peer', group: LISTENERS, repeatable: true, defaultDescription: 'any peer',
    description: 'permitted client certificate name (subject CN or DNS/IP SAN; *.example.org)' },
  { name: 'allow', group: LISTENERS, repeatable: true, defaultDescription: 'any sender',
    description: 'allowed sender network (10.0.0.0/8, 2001:db8::/32, 192.0.2.7) for every ' +
      'listener; others are refused and counted acl' },
  { name: 'max-connections', group: LISTENERS, default: '1000',
    description: 'open TCP and TLS connections at most, all listeners together' },
  { name: 'max-connections-per-sender', group: LISTENERS, default: '100',
    description: 'open TCP and TLS connections at most from one sender address' },
  { name: 'idle-timeout', group: LISTENERS, default: '0',
    description: 'seconds of silence after which a TCP or TLS connection is closed; 0 = never' },
  { name: 'rate-limit', group: PARSING, default: '0',
    description: 'messages per second per sender address; TCP/TLS is slowed, UDP excess ' +
      'dropped and counted rate_limit; 0 = off' },
  { name: 'rate-burst', group: PARSING, defaultDescription: '2 × --rate-limit',
    description: 'messages a sender may send at once above --rate-limit' },
  { name: 'user', group: OPERATIONS,
    description: 'user to run as after binding the ports (start as root); owns the files' },
  { name: 'group', group: OPERATIONS, defaultDescription: 'the primary group of --user',
    description: 'group to run as after binding the ports' },
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
