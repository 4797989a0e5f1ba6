/**
 * Archive path templates (`--archive-path`, DESIGN.md §4), e.g. `{host}/{date}.log`.
 *
 * Every token taken from a message is made safe before it becomes part of a path: characters
 * other than `A-Z a-z 0-9 . _ -` become `_`, an empty value, `.` or `..` becomes `_`, and at
 * most 64 characters are kept. Time tokens come from the receive time, so a device with a wrong
 * clock never writes into old files. The caller still checks that the result stays inside the
 * archive root.
 */
import type { LogRecord } from '../../record.js';
import { FACILITY_NAMES, SEVERITY_NAMES } from '../../record.js';
import type { ZoneClock } from '../../zone-clock.js';

export const PATH_TOKENS = ['host', 'source_ip', 'program', 'facility', 'severity', 'date',
  'year', 'month', 'day', 'hour', 'instance'] as const;

export type PathToken = typeof PATH_TOKENS[number];

/** Tokens whose value comes from the receive time. */
export const TIME_TOKENS: ReadonlySet<PathToken> = new Set(['date', 'year', 'month', 'day',
  'hour']);

export class PathTemplateError extends Error {
  readonly code = 'LH_BAD_PATH_TEMPLATE';
}

export interface PathValues {
  host: string;
  record: LogRecord;
}

const MAX_PART_LENGTH = 64;
const SAFE_PART = /^[A-Za-z0-9._-]{1,64}$/;

export class PathTemplate {
  readonly text: string;
  /** Literal text at even indexes, tokens at odd ones. */
  readonly #parts: string[];
  readonly #instance: string;
  readonly #clock: ZoneClock;
  /** The tokens taken from a message, in template order, once each. */
  readonly #messageTokens: PathToken[];

  constructor(text: string, options: { clock: ZoneClock; instance: string }) {
    this.text = text;
    this.#parts = compileTemplate(text);
    this.#clock = options.clock;
    this.#instance = safePathPart(options.instance);
    const tokens = this.#parts.filter((_, index) => index % 2 === 1) as PathToken[];
    this.#messageTokens = [...new Set(tokens)]
      .filter((token) => !TIME_TOKENS.has(token) && token !== 'instance');
  }

  /**
   * What, besides the receive time, decides where a record goes: equal keys within one
   * hour of the zone render equal paths. Each value is length-prefixed so no two different
   * value lists share a key.
   */
  messageKey(values: PathValues): string {
    if (this.#messageTokens.length === 1 && this.#messageTokens[0] === 'host') {
      return values.host;
    }
    let key = '';
    for (const token of this.#messageTokens) {
      const value = this.#rawValue(token, values);
      key += `${value.length}:${value}`;
    }
    return key;
  }

  render(values: PathValues): string {
    let path = this.#parts[0];
    for (let index = 1; index < this.#parts.length; index += 2) {
      path += this.#value(this.#parts[index] as PathToken, values) + this.#parts[index + 1];
    }
    return path;
  }

  #rawValue(token: PathToken, values: PathValues): string {
    const { record } = values;
    switch (token) {
      case 'host': return values.host;
      case 'source_ip': return record.meta.sourceIp;
      case 'program': return record.appName ?? '';
      case 'facility': return String(record.facility);
      case 'severity': return String(record.severity);
      default: return '';
    }
  }

  #value(token: PathToken, values: PathValues): string {
    const { record } = values;
    const received = record.meta.receivedAt.getTime();
    switch (token) {
      case 'host': return safePathPart(values.host);
      case 'source_ip': return safePathPart(record.meta.sourceIp);
      case 'program': return safePathPart(record.appName ?? '');
      case 'facility': return FACILITY_NAMES[record.facility];
      case 'severity': return SEVERITY_NAMES[record.severity];
      case 'date': return this.#clock.formatDate(received);
      case 'year': return this.#clock.formatDate(received).slice(0, 4);
      case 'month': return this.#clock.formatDate(received).slice(5, 7);
      case 'day': return this.#clock.formatDate(received).slice(8, 10);
      case 'hour': return this.#clock.formatSqlSeconds(received).slice(11, 13);
      case 'instance': return this.#instance;
    }
  }
}

/** Makes a value from a message safe as one path component. */
export function safePathPart(value: string): string {
  if (SAFE_PART.test(value) && value !== '.' && value !== '..') return value;

  let safe = '';
  let length = 0;
  for (const char of value) {
    if (length === MAX_PART_LENGTH) break;
    safe += /^[A-Za-z0-9._-]$/.test(char) ? char : '_';
    length += 1;
  }
  return safe === '' || safe === '.' || safe === '..' ? '_' : safe;
}

/** Splits a template into literal text (even indexes) and checked token names (odd ones). */
export function compileTemplate(text: string): string[] {
  if (text === '' || text.startsWith('/')) {
    throw new PathTemplateError('must be a relative path such as {host}/{date}.log');
  }
  const parts = text.split(/\{([^{}]*)\}/);
  for (let index = 1; index < parts.length; index += 2) {
    if (!(PATH_TOKENS as readonly string[]).includes(parts[index])) {
      throw new PathTemplateError(`unknown token {${parts[index]}}; tokens are ` +
        PATH_TOKENS.map((token) => `{${token}}`).join(' '));
    }
  }
  for (let index = 0; index < parts.length; index += 2) {
    if (/[{}]/.test(parts[index]) || parts[index].split('/').includes('..')) {
      throw new PathTemplateError('may not contain ".." or unmatched braces');
    }
  }
  return parts;
}
