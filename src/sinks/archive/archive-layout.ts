/**
 * What the path template says about the files it produces (DESIGN.md §4):
 *
 * - Size rotation: the n-th continuation of a file gets `.n` before the template's final
 *   extension (`{host}/{date}.log` → `web01/2026-12-03.2.log`), or at the end of the name
 *   when the template's file name has no literal extension (`{host}/{date}` → `….2`).
 * - The `current` symlink lives in the first directory of the template whose name holds
 *   `{host}` or `{source_ip}`, provided everything below it depends only on time tokens and
 *   on tokens already in that directory's path; then exactly one file per directory is being
 *   written at any time, and `current` points at it. Other templates get no link.
 * - For maintenance: whether an existing file is one of ours, whether it is gzipped, and the
 *   last calendar day it covers, read back from the time tokens in its path.
 */
import { posix } from 'node:path';
import { FACILITY_NAMES, SEVERITY_NAMES } from '../../record.js';
import { daysInMonth } from '../../zone-clock.js';
import { compileTemplate, safePathPart, TIME_TOKENS, type PathToken } from './path-template.js';

export interface ArchiveFileName {
  /** `YYYY-MM-DD` of the last day the file covers; null when the path holds no date. */
  lastDay: string | null;
  /** 0 for the first file of a path, n for its `.n` continuation. */
  segment: number;
  gzipped: boolean;
}

export interface CurrentLink {
  /** The directory holding `current`, relative to the archive root. */
  directory: string;
  /** The link's target, relative to that directory. */
  target: string;
}

export const CURRENT_LINK_NAME = 'current';
export const GZIP_SUFFIX = '.gz';

const HOST_TOKENS = ['{host}', '{source_ip}'];
const SAFE_VALUE = '[A-Za-z0-9._-]{1,64}';

export class ArchiveLayout {
  /** Path components of a file, counted from the archive root. */
  readonly depth: number;
  /** Components of the `current` link's directory; null when the template gets no link. */
  readonly linkDepth: number | null;
  readonly #extension: string;
  readonly #pattern: RegExp;
  /** For each capture group of `#pattern` before the gzip suffix: the time token it holds. */
  readonly #captures: PathToken[];

  constructor(template: string, options: { instance: string }) {
    const text = posix.normalize(template);
    const components = text.split('/');
    this.depth = components.length;
    this.linkDepth = linkDepthOf(components);
    const parts = compileTemplate(text);
    this.#extension = extensionOf(parts);
    const compiled = compilePattern(parts, this.#extension, safePathPart(options.instance));
    this.#pattern = compiled.pattern;
    this.#captures = compiled.captures;
  }

  /** The path of the `segment`-th file of a base path; segment 0 is the base itself. */
  segmentPath(basePath: string, segment: number): string {
    if (segment === 0) return basePath;
    const cut = basePath.length - this.#extension.length;
    return `${basePath.slice(0, cut)}.${segment}${basePath.slice(cut)}`;
  }

  /** Where the `current` link of a file goes (`relative` to the root, `/`-separated). */
  linkFor(relative: string): CurrentLink | null {
    if (this.linkDepth === null) return null;
    const components = relative.split('/');
    if (components.length <= this.linkDepth) return null;
    const target = components.slice(this.linkDepth).join('/');
    // A template whose file is literally named `current` would have the link replace it.
    if (target === CURRENT_LINK_NAME) return null;
    return { directory: components.slice(0, this.linkDepth).join('/'), target };
  }

  /** Reads a file path (relative to the root) back; null when the template did not make it. */
  describe(relative: string): ArchiveFileName | null {
    const match = this.#pattern.exec(relative);
    if (match === null) return null;

    const values: Partial<Record<PathToken, string>> = {};
    this.#captures.forEach((token, index) => {
      values[token] ??= match[index + 1];
    });
    const segment = match[this.#captures.length + 1];
    return { lastDay: lastDayOf(values), segment: segment === undefined ? 0 : Number(segment),
      gzipped: match[this.#captures.length + 2] !== undefined };
  }
}

/** Days since 1970-01-01 of a `YYYY-MM-DD` date, for comparing calendar days. */
export function dayNumber(date: string): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1,
    Number(date.slice(8, 10))) / 86_400_000;
}

function linkDepthOf(components: string[]): number | null {
  const directories = components.slice(0, -1);
  const index = directories.findIndex((part) => HOST_TOKENS.some((t) => part.includes(t)));
  if (index < 0) return null;

  const known = new Set(tokensOf(components.slice(0, index + 1).join('/')));
  const below = tokensOf(components.slice(index + 1).join('/'));
  const oneFileAtATime = below.every((token) => TIME_TOKENS.has(token) || known.has(token));
  return oneFileAtATime ? index + 1 : null;
}

function tokensOf(text: string): PathToken[] {
  return [...text.matchAll(/\{([a-z_]+)\}/g)].map((match) => match[1] as PathToken);
}

/** The literal extension ending the template's file name (`.log`), or '' if it has none. */
function extensionOf(parts: string[]): string {
  const last = parts[parts.length - 1];
  const name = last.slice(last.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  const tokenBefore = parts.length > 1 && !last.includes('/');
  if (dot > 0 || (dot === 0 && tokenBefore)) return name.slice(dot);
  return '';
}

function compilePattern(parts: string[], extension: string, instance: string):
  { pattern: RegExp; captures: PathToken[] } {
  const captures: PathToken[] = [];
  let source = '^';
  for (let index = 0; index < parts.length; index += 1) {
    if (index % 2 === 0) {
      const literal = parts[index];
      if (index < parts.length - 1) {
        source += escapeRegExp(literal);
        continue;
      }
      const stem = literal.slice(0, literal.length - extension.length);
      source += `${escapeRegExp(stem)}(?:\\.(\\d+))?${escapeRegExp(extension)}`;
      continue;
    }
    const token = parts[index] as PathToken;
    if (TIME_TOKENS.has(token) && token !== 'hour') captures.push(token);
    source += tokenPattern(token, instance);
  }
  return { pattern: new RegExp(`${source}(\\.gz)?$`), captures };
}

function tokenPattern(token: PathToken, instance: string): string {
  switch (token) {
    case 'date': return '(\\d{4}-\\d{2}-\\d{2})';
    case 'year': return '(\\d{4})';
    case 'month':
    case 'day': return '(\\d{2})';
    case 'hour': return '\\d{2}';
    case 'facility': return `(?:${FACILITY_NAMES.map(escapeRegExp).join('|')})`;
    case 'severity': return `(?:${SEVERITY_NAMES.join('|')})`;
    case 'instance': return escapeRegExp(instance);
    default: return SAFE_VALUE;
  }
}

/** The last day a file covers: its day, or the end of its month or year. */
function lastDayOf(values: Partial<Record<PathToken, string>>): string | null {
  if (values.date !== undefined) return values.date;
  const { year, month, day } = values;
  if (year === undefined) return null;
  if (month === undefined) return `${year}-12-31`;
  const last = day ?? String(daysInMonth(Number(year), Number(month))).padStart(2, '0');
  return `${year}-${month}-${last}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
