/**
 * One typed, validated, frozen Config from four layers (DESIGN.md §2): command-line flag,
 * then `LOGHARBOR_*` environment variable, then the JSON file of `--config`, then the
 * default. Every problem is a ConfigError whose message is one line: what is wrong, the
 * offending value, and how to fix it.
 */
import { hostname } from 'node:os';
import { LOG_LEVELS } from './log.js';
import { environmentName, OPTIONS, OPTIONS_BY_NAME, type OptionSpec } from './options.js';
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

export class ConfigError extends Error {
  readonly code = 'LH_INVALID_CONFIG';
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
  const fromFlags = readFlags(sources.flags);
  const fromEnv = readEnvironment(sources.env);
  const configPath = sources.flags.config ?? sources.env[CONFIG_VARIABLE];
  const fromFile = typeof configPath === 'string'
    ? readConfigFile(configPath, sources.readFile)
    : new Map<string, RawValue>();

  const raw = new Map<string, RawValue>();
  for (const option of OPTIONS) {
    const given = fromFlags.get(option.name) ?? fromEnv.get(option.name) ??
      fromFile.get(option.name);
    if (given !== undefined && option.issue !== undefined) refuseUnbuilt(option);
    const value = given ?? option.default;
    if (value !== undefined) raw.set(option.name, value);
  }

  const password = databasePassword(raw, sources);
  const config = Object.freeze(buildConfig(raw, password));
  return { config, effective: effectiveValues(raw, config) };
}

function buildConfig(raw: Map<string, RawValue>, password: string | null): Config {
  const text = (name: string): string => single(name, raw.get(name) ?? '');
  const dbText = text('db');
  const timezone = raw.has('timezone') ? text('timezone') : systemTimeZone();
  const archive = text('archive');

  const config: Config = {
    udp: listeners('udp', raw.get('udp') ?? []),
    tcp: listeners('tcp', raw.get('tcp') ?? []),
    http: text('http') === 'none' ? null : listenAddress('http', text('http')),
    db: dbText === 'none' ? null : { url: dbText, target: databaseTarget(dbText) },
    dbPassword: password,
    migrate: choice('migrate', text('migrate'), ['auto', 'never'] as const),
    archive: archive === 'none' ? null : archive,
    archivePath: text('archive-path'),
    archiveFormat: choice('archive-format', text('archive-format'), ARCHIVE_FORMATS),
    spool: text('spool'),
    maxMessageSize: integer('max-message-size', text('max-message-size'),
      { min: 480, max: MAX_MESSAGE_SIZE_LIMIT }),
    queueSize: integer('queue-size', text('queue-size'), { min: 1, max: 10_000_000 }),
    shutdownTimeoutMs: 1000 * integer('shutdown-timeout', text('shutdown-timeout'),
      { min: 0, max: 86_400 }),
    timezone: checkTimeZone(timezone),
    hostFrom: choice('host-from', text('host-from'), ['header', 'source'] as const),
    instance: raw.has('instance') ? nonEmpty('instance', text('instance')) : hostname(),
    logLevel: choice('log-level', text('log-level'), LOG_LEVELS),
    dbPasswordFile: raw.has('db-password-file') ? text('db-password-file') : null,
    batchSize: integer('batch-size', text('batch-size'), { min: 1, max: 100_000 }),
    flushIntervalMs: integer('flush-interval', text('flush-interval'), { min: 0, max: 60_000 }),
    spoolMaxBytes: size('spool-max', text('spool-max')),
    rotateSizeBytes: size('rotate-size', text('rotate-size')),
    retainDays: integer('retain-days', text('retain-days'), { min: 0, max: 36_500 }),
    compress: choice('compress', text('compress'), ['gzip', 'none'] as const),
    archiveMaxOpen: integer('archive-max-open', text('archive-max-open'), { min: 1, max: 65_536 }),
    archiveFsync: choice('archive-fsync', text('archive-fsync'),
      ['interval', 'never', 'always'] as const),
    archiveMode: fileMode('archive-mode', text('archive-mode')),
    ...securityConfig(raw),
  };
  checkArchivePath(config);
  checkTls(config);
  return config;
}

type SecurityConfig = Pick<Config, 'tls' | 'tlsCert' | 'tlsKey' | 'tlsCa' | 'tlsClientAuth' |
  'tlsPeers' | 'allow' | 'maxConnections' | 'maxConnectionsPerSender' | 'idleTimeoutMs' |
  'rateLimit' | 'rateBurst' | 'user' | 'group'>;

function securityConfig(raw: Map<string, RawValue>): SecurityConfig {
  const text = (name: string): string => single(name, raw.get(name) ?? '');
  const optional = (name: string): string | null =>
    raw.has(name) ? nonEmpty(name, text(name)) : null;
  const list = (name: string): string[] => [raw.get(name) ?? []].flat();
  const rateLimit = integer('rate-limit', text('rate-limit'), { min: 0, max: 10_000_000 });
  if (raw.has('rate-burst') && rateLimit === 0) {
    throw new ConfigError('Option --rate-burst needs --rate-limit: give the rate too, e.g. ' +
      '--rate-limit 1000 --rate-burst 5000');
  }

  return {
    tls: listeners('tls', raw.get('tls') ?? []),
    tlsCert: optional('tls-cert'),
    tlsKey: optional('tls-key'),
    tlsCa: optional('tls-ca'),
    tlsClientAuth: choice('tls-client-auth', text('tls-client-auth'),
      ['none', 'optional', 'required'] as const),
    tlsPeers: list('tls-peer').map((peer) => nonEmpty('tls-peer', peer)),
    allow: list('allow').map(cidr),
    maxConnections: integer('max-connections', text('max-connections'),
      { min: 1, max: 1_000_000 }),
    maxConnectionsPerSender: integer('max-connections-per-sender',
      text('max-connections-per-sender'), { min: 1, max: 1_000_000 }),
    idleTimeoutMs: 1000 * integer('idle-timeout', text('idle-timeout'), { min: 0, max: 86_400 }),
    rateLimit,
    rateBurst: raw.has('rate-burst')
      ? integer('rate-burst', text('rate-burst'), { min: 1, max: 100_000_000 })
      : 2 * rateLimit,
    user: optional('user'),
    group: optional('group'),
  };
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

function readFlags(flags: Record<string, unknown>): Map<string, RawValue> {
  const values = new Map<string, RawValue>();
  for (const option of OPTIONS) {
    const value = flags[option.name];
    if (value === undefined) continue;
    values.set(option.name, normalize(option, value, `--${option.name}`));
  }
  return values;
}

function readEnvironment(env: NodeJS.ProcessEnv): Map<string, RawValue> {
  const byVariable = new Map(OPTIONS.map((option) => [environmentName(option.name), option]));
  const values = new Map<string, RawValue>();
  for (const [variable, value] of Object.entries(env)) {
    if (!variable.startsWith('LOGHARBOR_') || value === undefined) continue;
    if (variable === PASSWORD_VARIABLE || variable === CONFIG_VARIABLE) continue;
    const option = byVariable.get(variable);
    if (option === undefined) {
      throw new ConfigError(`Unknown environment variable ${variable}: no option ` +
        `--${variable.slice(10).toLowerCase().replaceAll('_', '-')} exists (see logharbor ` +
        '--help; test settings use the LH_TEST_ prefix)');
    }
    values.set(option.name, normalize(option, value, variable));
  }
  return values;
}

function readConfigFile(path: string, readFile: (path: string) => string):
  Map<string, RawValue> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFile(path));
  } catch (error) {
    throw new ConfigError(`Cannot read config file ${path}: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`Config file ${path} must hold a JSON object of option names`);
  }

  const values = new Map<string, RawValue>();
  for (const [key, value] of Object.entries(parsed)) {
    const option = OPTIONS_BY_NAME.get(key);
    if (option === undefined) {
      throw new ConfigError(`Unknown key "${key}" in config file ${path}: keys are the long ` +
        'option names, e.g. "udp", "archive-path"');
    }
    values.set(key, normalize(option, value, `"${key}" in ${path}`));
  }
  return values;
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

function refuseUnbuilt(option: OptionSpec): never {
  throw new ConfigError(`Option --${option.name} is not available yet (it comes with ` +
    `issue #${option.issue}); remove it to start`);
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

function checkArchivePath(config: Config): void {
  try {
    new PathTemplate(config.archivePath, { clock: new ZoneClock('UTC'), instance: 'x' });
  } catch (error) {
    throw new ConfigError(`Invalid --archive-path ${JSON.stringify(config.archivePath)}: ` +
      `${(error as Error).message}`);
  }
}

function effectiveValues(raw: Map<string, RawValue>, config: Config):
  Record<string, RawValue | null> {
  const effective: Record<string, RawValue | null> = {};
  for (const option of OPTIONS) {
    if (option.issue !== undefined) continue;
    effective[option.name] = raw.get(option.name) ?? null;
  }
  effective.timezone = config.timezone;
  effective.instance = config.instance;
  if (typeof effective.db === 'string') effective.db = maskDatabaseUrl(effective.db);
  if (config.dbPassword !== null) effective['db-password'] = '***';
  return effective;
}
