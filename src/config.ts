/**
 * One typed, validated, frozen Config from four layers (DESIGN.md §2): command-line flag,
 * then `LOGHARBOR_*` environment variable, then the JSON file of `--config`, then the
 * default. Every problem is a ConfigError whose message is one line: what is wrong, the
 * offending value, and how to fix it.
 */
import { hostname } from 'node:os';
import { LOG_LEVELS } from './log.js';
import { environmentName, OPTIONS, OPTIONS_BY_NAME, type OptionSpec } from './options.js';
import { autoParseThreads } from './pipeline/parse-threads.js';
import { parseCidr, type Cidr } from './receiver/access.js';
import { parseListenAddress, type ListenAddress } from './receiver/listen-address.js';
import type { TlsClientAuth } from './receiver/tls.js';
import { PathTemplate } from './sinks/archive/path-template.js';
import { ARCHIVE_FORMATS, type ArchiveFormat } from './sinks/archive/record-encoder.js';
import type { HostFrom } from './sinks/row.js';
import {
  maskDatabaseUrl, parseDatabaseUrl, type DatabaseTarget,
} from './sinks/sql/database-url.js';
import type { MigratePolicy } from './sinks/sql/sql-sink.js';
import { MAX_WATCHED_HOSTS, watchKey } from './watched-hosts.js';
import { systemTimeZone, ZoneClock } from './zone-clock.js';

export interface Config {
  udp: ListenAddress[];
  tcp: ListenAddress[];
  http: ListenAddress | null;
  db: { url: string; target: DatabaseTarget } | null;
  dbPassword: string | null;
  migrate: MigratePolicy;
  archive: string | null;
  archivePath: string;
  archiveFormat: ArchiveFormat;
  spool: string;
  maxMessageSize: number;
  queueSize: number;
  shutdownTimeoutMs: number;
  timezone: string;
  hostFrom: HostFrom;
  /** Parse threads; 0: parsing on the main thread. */
  parseThreads: number;
  instance: string;
  logLevel: string;
  dbPasswordFile: string | null;
  batchSize: number;
  flushIntervalMs: number;
  spoolMaxBytes: number;
  rotateSizeBytes: number;
  retainDays: number;
  compress: 'gzip' | 'none';
  archiveMaxOpen: number;
  archiveFsync: 'interval' | 'never' | 'always';
  archiveMode: number;
  readyGraceMs: number;
  watchHosts: string[];
  tls: ListenAddress[];
  tlsCert: string | null;
  tlsKey: string | null;
  tlsCa: string | null;
  tlsClientAuth: TlsClientAuth;
  tlsPeers: string[];
  allow: Cidr[];
  maxConnections: number;
  maxConnectionsPerSender: number;
  idleTimeoutMs: number;
  /** Messages per second per sender; 0: no limit. */
  rateLimit: number;
  rateBurst: number;
  user: string | null;
  group: string | null;
}

/** More threads than this only compete for the cores with each other. */
const MAX_PARSE_THREADS = 64;

export class ConfigError extends Error {
  readonly code = 'LH_INVALID_CONFIG';
  /** One line per problem; `message` joins them with LF. */
  readonly problems: readonly string[];

  constructor(problems: string | readonly string[]) {
    const lines = typeof problems === 'string' ? [problems] : [...problems];
    super(lines.join('\n'));
    this.problems = lines;
  }
}

/**
 * Gathers the problems of one configuration, so that `check-config` (and `run`) names every
 * one of them at once instead of stopping at the first.
 */
class ProblemList {
  readonly #lines: string[] = [];

  /**
   * The value of `compute`, or undefined once its ConfigError is recorded; other errors are
   * bugs and propagate.
   */
  check<T>(compute: () => T): T | undefined {
    try {
      return compute();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      this.#lines.push(...error.problems);
      return undefined;
    }
  }

  throwIfAny(): void {
    if (this.#lines.length > 0) throw new ConfigError(this.#lines);
  }
}

export type RawValue = string | string[];

export interface ConfigSources {
  /** Flags as yargs parsed them (kebab-case keys; absent when not given). */
  flags: Record<string, unknown>;
  env: NodeJS.ProcessEnv;
  readFile: (path: string) => string;
  /** The permission bits of a file (for `--db-password-file`). */
  fileMode?: (path: string) => number;
}

export interface ResolvedConfig {
  config: Readonly<Config>;
  /** The effective option values, secrets masked: what `check-config` prints. */
  effective: Record<string, RawValue | null>;
}

/** The largest message we accept: a fallback-decoded 4 MiB still fits MEDIUMTEXT. */
export const MAX_MESSAGE_SIZE_LIMIT = 4 * 1024 * 1024;
const PASSWORD_VARIABLE = 'LOGHARBOR_DB_PASSWORD';
const CONFIG_VARIABLE = 'LOGHARBOR_CONFIG';

export function resolveConfig(sources: ConfigSources): ResolvedConfig {
  const problems = new ProblemList();
  const fromFlags = readFlags(sources.flags, problems);
  const fromEnv = readEnvironment(sources.env, problems);
  const configPath = sources.flags.config ?? sources.env[CONFIG_VARIABLE];
  const fromFile = typeof configPath === 'string'
    ? readConfigFile(configPath, sources.readFile, problems)
    : new Map<string, RawValue>();

  const raw = new Map<string, RawValue>();
  for (const option of OPTIONS) {
    const given = fromFlags.get(option.name) ?? fromEnv.get(option.name) ??
      fromFile.get(option.name);
    const value = given ?? option.default;
    if (value !== undefined) raw.set(option.name, value);
  }

  const password = problems.check(() => databasePassword(raw, sources)) ?? null;
  const config = Object.freeze(buildConfig(raw, password, problems));
  problems.throwIfAny();
  return { config, effective: effectiveValues(raw, config) };
}

/**
 * Every field is checked on its own, so one bad value does not hide the next. A field whose
 * check failed holds undefined, which nobody reads: resolveConfig throws before returning.
 */
function buildConfig(raw: Map<string, RawValue>, password: string | null,
  problems: ProblemList): Config {
  const field = <T>(compute: () => T): T => problems.check(compute) as T;
  const text = (name: string): string => single(name, raw.get(name) ?? '');
  const dbText = field(() => text('db'));
  const timezone = raw.has('timezone') ? field(() => text('timezone')) : systemTimeZone();
  const archive = field(() => text('archive'));

  const config: Config = {
    udp: field(() => listeners('udp', raw.get('udp') ?? [])),
    tcp: field(() => listeners('tcp', raw.get('tcp') ?? [])),
    http: field(() => text('http') === 'none' ? null : listenAddress('http', text('http'))),
    db: field(() => dbText === 'none' ? null : { url: dbText, target: databaseTarget(dbText) }),
    dbPassword: password,
    migrate: field(() => choice('migrate', text('migrate'), ['auto', 'never'] as const)),
    archive: field(() => archive === 'none' ? null : archive),
    archivePath: field(() => checkArchivePath(text('archive-path'))),
    archiveFormat: field(() => choice('archive-format', text('archive-format'),
      ARCHIVE_FORMATS)),
    spool: field(() => text('spool')),
    maxMessageSize: field(() => integer('max-message-size', text('max-message-size'),
      { min: 480, max: MAX_MESSAGE_SIZE_LIMIT })),
    queueSize: field(() => integer('queue-size', text('queue-size'),
      { min: 1, max: 10_000_000 })),
    shutdownTimeoutMs: field(() => 1000 * integer('shutdown-timeout', text('shutdown-timeout'),
      { min: 0, max: 86_400 })),
    timezone: field(() => checkTimeZone(timezone)),
    hostFrom: field(() => choice('host-from', text('host-from'), ['header', 'source'] as const)),
    parseThreads: field(() => parseThreads(text('parse-threads'))),
    instance: field(() => raw.has('instance') ? nonEmpty('instance', text('instance'))
      : hostname()),
    logLevel: field(() => choice('log-level', text('log-level'), LOG_LEVELS)),
    dbPasswordFile: field(() => raw.has('db-password-file') ? text('db-password-file') : null),
    batchSize: field(() => integer('batch-size', text('batch-size'), { min: 1, max: 100_000 })),
    flushIntervalMs: field(() => integer('flush-interval', text('flush-interval'),
      { min: 0, max: 60_000 })),
    spoolMaxBytes: field(() => size('spool-max', text('spool-max'))),
    rotateSizeBytes: field(() => size('rotate-size', text('rotate-size'))),
    retainDays: field(() => integer('retain-days', text('retain-days'), { min: 0, max: 36_500 })),
    compress: field(() => choice('compress', text('compress'), ['gzip', 'none'] as const)),
    archiveMaxOpen: field(() => integer('archive-max-open', text('archive-max-open'),
      { min: 1, max: 65_536 })),
    archiveFsync: field(() => choice('archive-fsync', text('archive-fsync'),
      ['interval', 'never', 'always'] as const)),
    archiveMode: field(() => fileMode('archive-mode', text('archive-mode'))),
    readyGraceMs: field(() => 1000 * integer('ready-grace', text('ready-grace'),
      { min: 0, max: 86_400 })),
    watchHosts: field(() => watchHosts(raw.get('watch-host') ?? [])),
    ...securityConfig(raw, field),
  };
  if (isTlsChecked(config)) field(() => checkTls(config));
  return config;
}

type SecurityConfig = Pick<Config, 'tls' | 'tlsCert' | 'tlsKey' | 'tlsCa' | 'tlsClientAuth' |
  'tlsPeers' | 'allow' | 'maxConnections' | 'maxConnectionsPerSender' | 'idleTimeoutMs' |
  'rateLimit' | 'rateBurst' | 'user' | 'group'>;

/** The security options (issue #8); each problem is recorded by `field`, as in buildConfig. */
function securityConfig(raw: Map<string, RawValue>,
  field: <T>(compute: () => T) => T): SecurityConfig {
  const text = (name: string): string => single(name, raw.get(name) ?? '');
  const optional = (name: string): string | null =>
    raw.has(name) ? nonEmpty(name, text(name)) : null;
  const list = (name: string): string[] => [raw.get(name) ?? []].flat();
  const rateLimit = field(() => integer('rate-limit', text('rate-limit'),
    { min: 0, max: 10_000_000 }));

  return {
    tls: field(() => listeners('tls', raw.get('tls') ?? [])),
    tlsCert: field(() => optional('tls-cert')),
    tlsKey: field(() => optional('tls-key')),
    tlsCa: field(() => optional('tls-ca')),
    tlsClientAuth: field(() => choice('tls-client-auth', text('tls-client-auth'),
      ['none', 'optional', 'required'] as const)),
    tlsPeers: field(() => list('tls-peer').map((peer) => nonEmpty('tls-peer', peer))),
    allow: field(() => list('allow').map(cidr)),
    maxConnections: field(() => integer('max-connections', text('max-connections'),
      { min: 1, max: 1_000_000 })),
    maxConnectionsPerSender: field(() => integer('max-connections-per-sender',
      text('max-connections-per-sender'), { min: 1, max: 1_000_000 })),
    idleTimeoutMs: field(() => 1000 * integer('idle-timeout', text('idle-timeout'),
      { min: 0, max: 86_400 })),
    rateLimit,
    rateBurst: field(() => rateBurst(raw, rateLimit)),
    user: field(() => optional('user')),
    group: field(() => optional('group')),
  };
}

function rateBurst(raw: Map<string, RawValue>, rateLimit: number | undefined): number {
  if (!raw.has('rate-burst')) return 2 * (rateLimit ?? 0);
  if (rateLimit === 0) {
    throw new ConfigError('Option --rate-burst needs --rate-limit: give the rate too, e.g. ' +
      '--rate-limit 1000 --rate-burst 5000');
  }
  return integer('rate-burst', single('rate-burst', raw.get('rate-burst') ?? ''),
    { min: 1, max: 100_000_000 });
}

/** The TLS options can be checked together only when each of them was valid on its own. */
function isTlsChecked(config: Config): boolean {
  return config.tls !== undefined && config.tlsPeers !== undefined &&
    config.tlsClientAuth !== undefined;
}

function cidr(text: string): Cidr {
  try {
    return parseCidr(text);
  } catch (error) {
    throw new ConfigError(`Invalid --allow ${JSON.stringify(text)}: ` +
      `${(error as Error).message}`);
  }
}

/** TLS options only make sense together: say which one is missing. */
function checkTls(config: Config): void {
  const listening = config.tls.length > 0;
  const given = [['tls-cert', config.tlsCert], ['tls-key', config.tlsKey],
    ['tls-ca', config.tlsCa]].filter(([, value]) => value !== null).map(([name]) => name);
  if (!listening && (given.length > 0 || config.tlsPeers.length > 0)) {
    throw new ConfigError(`Option --${given[0] ?? 'tls-peer'} needs a TLS listener: add ` +
      '--tls HOST:PORT, e.g. --tls 0.0.0.0:6514');
  }
  if (listening && (config.tlsCert === null || config.tlsKey === null)) {
    throw new ConfigError(`Invalid --tls ${config.tls[0].text}: a TLS listener needs ` +
      '--tls-cert FILE and --tls-key FILE (PEM certificate and private key)');
  }
  if (config.tlsClientAuth !== 'none' && config.tlsCa === null) {
    throw new ConfigError(`Invalid --tls-client-auth ${config.tlsClientAuth}: checking ` +
      'client certificates needs --tls-ca FILE (the CA that signs them)');
  }
  if (config.tlsPeers.length > 0 && config.tlsClientAuth === 'none') {
    throw new ConfigError(`Invalid --tls-peer ${config.tlsPeers[0]}: peer names are read ` +
      'from client certificates; add --tls-client-auth required (or optional)');
  }
}

/**
 * The database password, given one way only: in the `--db` URL, in `--db-password-file` (which
 * others may not read) or in LOGHARBOR_DB_PASSWORD.
 */
function databasePassword(raw: Map<string, RawValue>, sources: ConfigSources): string | null {
  const file = raw.get('db-password-file');
  const fromEnv = sources.env[PASSWORD_VARIABLE];
  const db = raw.get('db');
  const inUrl = typeof db === 'string' && /^[a-z]+:\/\/[^/@]*:[^/@]*@/i.test(db);
  const ways = [typeof file === 'string', fromEnv !== undefined, inUrl].filter(Boolean).length;
  if (ways > 1) {
    throw new ConfigError('The database password is given more than once (URL, ' +
      '--db-password-file, LOGHARBOR_DB_PASSWORD): give it one way');
  }
  if (typeof file !== 'string') return fromEnv ?? null;

  const mode = sources.fileMode?.(file);
  if (mode !== undefined && (mode & 0o007) !== 0) {
    throw new ConfigError(`Invalid --db-password-file ${file}: others may read it ` +
      `(mode ${(mode & 0o777).toString(8)}); run chmod 600 ${file}`);
  }
  try {
    return sources.readFile(file).replace(/\r?\n$/, '');
  } catch (error) {
    throw new ConfigError(`Cannot read --db-password-file ${file}: ` +
      `${(error as Error).message}`);
  }
}

function readFlags(flags: Record<string, unknown>, problems: ProblemList):
  Map<string, RawValue> {
  const values = new Map<string, RawValue>();
  for (const option of OPTIONS) {
    const value = flags[option.name];
    if (value === undefined) continue;
    setChecked(values, option.name, problems, () => normalize(option, value, `--${option.name}`));
  }
  return values;
}

function readEnvironment(env: NodeJS.ProcessEnv, problems: ProblemList):
  Map<string, RawValue> {
  const byVariable = new Map(OPTIONS.map((option) => [environmentName(option.name), option]));
  const values = new Map<string, RawValue>();
  for (const [variable, value] of Object.entries(env)) {
    if (!variable.startsWith('LOGHARBOR_') || value === undefined) continue;
    if (variable === PASSWORD_VARIABLE || variable === CONFIG_VARIABLE) continue;
    const option = byVariable.get(variable);
    setChecked(values, option?.name ?? variable, problems, () => {
      if (option === undefined) {
        throw new ConfigError(`Unknown environment variable ${variable}: no option ` +
          `--${variable.slice(10).toLowerCase().replaceAll('_', '-')} exists (see logharbor ` +
          '--help; test settings use the LH_TEST_ prefix)');
      }
      return normalize(option, value, variable);
    });
  }
  return values;
}

function readConfigFile(path: string, readFile: (path: string) => string,
  problems: ProblemList): Map<string, RawValue> {
  const values = new Map<string, RawValue>();
  const parsed = problems.check(() => parseConfigFile(path, readFile));
  for (const [key, value] of Object.entries(parsed ?? {})) {
    const option = OPTIONS_BY_NAME.get(key);
    setChecked(values, key, problems, () => {
      if (option === undefined) {
        throw new ConfigError(`Unknown key "${key}" in config file ${path}: keys are the long ` +
          'option names, e.g. "udp", "archive-path"');
      }
      return normalize(option, value, `"${key}" in ${path}`);
    });
  }
  return values;
}

function parseConfigFile(path: string, readFile: (path: string) => string): object {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFile(path));
  } catch (error) {
    throw new ConfigError(`Cannot read config file ${path}: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`Config file ${path} must hold a JSON object of option names`);
  }
  return parsed;
}

/** Stores the value `compute` returns under `name`, or records its problem. */
function setChecked(values: Map<string, RawValue>, name: string, problems: ProblemList,
  compute: () => RawValue): void {
  const value = problems.check(compute);
  if (value !== undefined) values.set(name, value);
}

/** Strings for every layer; repeatable options as lists, comma-separated items split. */
function normalize(option: OptionSpec, value: unknown, where: string): RawValue {
  const items = Array.isArray(value) ? value : [value];
  for (const item of items) {
    if (typeof item !== 'string' && typeof item !== 'number') {
      throw new ConfigError(`Invalid ${where}: expected text or a number, ` +
        `got ${JSON.stringify(item)}`);
    }
  }
  const strings = items.map(String);
  if (option.repeatable) return strings.flatMap((item) => item.split(',')).map((s) => s.trim());
  if (strings.length !== 1) {
    throw new ConfigError(`Option --${option.name} was given ${strings.length} times; ` +
      'it takes one value');
  }
  return strings[0];
}

function single(name: string, value: RawValue): string {
  if (typeof value === 'string') return value;
  throw new ConfigError(`Option --${name} takes one value, got ${value.length}`);
}

function listeners(name: string, values: RawValue): ListenAddress[] {
  const list = typeof values === 'string' ? [values] : values;
  if (list.length === 1 && list[0] === 'none') return [];
  if (list.includes('none')) {
    throw new ConfigError(`Invalid --${name}: "none" cannot be combined with addresses`);
  }
  return list.map((text) => listenAddress(name, text));
}

function listenAddress(name: string, text: string): ListenAddress {
  try {
    return parseListenAddress(text);
  } catch (error) {
    throw new ConfigError(`Invalid --${name} ${JSON.stringify(text)}: ` +
      `${(error as Error).message}`);
  }
}

function databaseTarget(text: string): DatabaseTarget {
  try {
    return parseDatabaseUrl(text);
  } catch (error) {
    throw new ConfigError(`Invalid --db ${JSON.stringify(maskDatabaseUrl(text))}: ` +
      `${(error as Error).message}`);
  }
}

function choice<T extends string>(name: string, text: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(text)) return text as T;
  throw new ConfigError(`Invalid --${name} ${JSON.stringify(text)}: expected one of ` +
    choices.join(', '));
}

/** `auto` (one per core, see autoParseThreads) or a count; 0 parses on the main thread. */
function parseThreads(text: string): number {
  if (text === 'auto') return autoParseThreads();
  if (/^\d+$/.test(text) && Number(text) <= MAX_PARSE_THREADS) return Number(text);
  throw new ConfigError(`Invalid --parse-threads ${JSON.stringify(text)}: expected auto or a ` +
    `whole number from 0 (parse on the main thread) to ${MAX_PARSE_THREADS}`);
}

function integer(name: string, text: string, range: { min: number; max: number }): number {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (Number.isSafeInteger(value) && value >= range.min && value <= range.max) return value;
  throw new ConfigError(`Invalid --${name} ${JSON.stringify(text)}: expected a whole number ` +
    `from ${range.min} to ${range.max}`);
}

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, kb: 1024, kib: 1024,
  m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 };

/** `100MB`, `1GB`, `512k` or plain bytes; the units are binary (1 KB = 1024 bytes). */
function size(name: string, text: string): number {
  const match = /^(\d+)\s*([a-z]*)$/i.exec(text.trim());
  const unit = match === null ? undefined : SIZE_UNITS[match[2].toLowerCase()];
  if (match !== null && unit !== undefined && Number(match[1]) > 0) {
    return Number(match[1]) * unit;
  }
  throw new ConfigError(`Invalid --${name} ${JSON.stringify(text)}: expected a size such as ` +
    '512KB, 100MB or 1GB');
}

function fileMode(name: string, text: string): number {
  if (/^0?[0-7]{3}$/.test(text)) return Number.parseInt(text, 8);
  throw new ConfigError(`Invalid --${name} ${JSON.stringify(text)}: expected an octal mode ` +
    'such as 0640');
}

function nonEmpty(name: string, text: string): string {
  if (text.trim() !== '') return text;
  throw new ConfigError(`Invalid --${name}: it may not be empty`);
}

function checkTimeZone(zone: string): string {
  try {
    new ZoneClock(zone);
    return zone;
  } catch {
    throw new ConfigError(`Invalid --timezone ${JSON.stringify(zone)}: not an IANA time zone ` +
      '(e.g. Europe/Paris, UTC)');
  }
}

function checkArchivePath(template: string): string {
  try {
    new PathTemplate(template, { clock: new ZoneClock('UTC'), instance: 'x' });
    return template;
  } catch (error) {
    throw new ConfigError(`Invalid --archive-path ${JSON.stringify(template)}: ` +
      `${(error as Error).message}`);
  }
}

/** `--watch-host`: at most MAX_WATCHED_HOSTS names, each with a /stats.json key of its own. */
function watchHosts(values: RawValue): string[] {
  const names = typeof values === 'string' ? [values] : values;
  if (names.length > MAX_WATCHED_HOSTS) {
    throw new ConfigError(`Invalid --watch-host: ${names.length} hosts given, at most ` +
      `${MAX_WATCHED_HOSTS} are watched (watch the ones whose silence matters)`);
  }
  const byKey = new Map<string, string>();
  for (const name of names) {
    if (name.trim() === '') throw new ConfigError('Invalid --watch-host: a name may not be empty');
    const other = byKey.get(watchKey(name));
    if (other !== undefined) {
      throw new ConfigError(`Invalid --watch-host ${JSON.stringify(name)}: it has the same ` +
        `stats key as ${JSON.stringify(other)} (${watchKey(name)}); give one of them`);
    }
    byKey.set(watchKey(name), name);
  }
  return names;
}

function effectiveValues(raw: Map<string, RawValue>, config: Config):
  Record<string, RawValue | null> {
  const effective: Record<string, RawValue | null> = {};
  for (const option of OPTIONS) effective[option.name] = raw.get(option.name) ?? null;
  effective.timezone = config.timezone;
  effective.instance = config.instance;
  if (typeof effective.db === 'string') effective.db = maskDatabaseUrl(effective.db);
  if (config.dbPassword !== null) effective['db-password'] = '***';
  return effective;
}
