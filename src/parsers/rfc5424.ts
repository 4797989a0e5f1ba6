/**
 * RFC 5424 after the PRI:
 *
 *   VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP STRUCTURED-DATA [SP MSG]
 *   STRUCTURED-DATA = "-" / 1*("[" SD-ID *(SP PARAM-NAME "=" %d34 PARAM-VALUE %d34) "]")
 *
 * Header fields are read leniently (any bytes but SP: rsyslog and syslog-ng relay TABs and
 * over-long APP-NAMEs) and NILVALUE "-" becomes null. Structured data is read strictly: an
 * element that breaks the grammar (unescaped `]` or `"`, missing `]`) makes the whole SD part
 * of MSG, flagged `sd_invalid`, so no text is ever lost or guessed at.
 */
import { isUtf8 } from 'node:buffer';
import type { LogRecord, StructuredData } from '../record.js';
import { parseRfc3339 } from './timestamp.js';

const MAX_SD_NAME = 32;
const SP = 0x20;
const QUOTE = 0x22;
const EQUALS = 0x3d;
const CLOSE_BRACKET = 0x5d;
const MAX_APP_NAME = 48;

/** Fills `record` from `text[start]` (just past the PRI, at `1 `); false if the header is cut. */
export function parseRfc5424(text: string, start: number, record: LogRecord): boolean {
  const header: string[] = [];
  let index = start + 2;
  for (let field = 0; field < 5; field += 1) {
    const space = text.indexOf(' ', index);
    if (space === -1) return false;
    header.push(text.slice(index, space));
    index = space + 1;
  }
  if (index >= text.length) return false;

  readTimestamp(header[0], record);
  record.hostname = nil(header[1]);
  record.appName = nil(header[2]);
  record.procId = nil(header[3]);
  record.msgId = nil(header[4]);
  if (record.appName !== null && record.appName.length > MAX_APP_NAME) {
    record.fields.app_name_too_long = true;
  }

  record.message = readStructuredDataAndMessage(text, index, record);
  record.format = 'rfc5424';
  return true;
}

function readTimestamp(token: string, record: LogRecord): void {
  if (token === '-') return;
  const outcome = parseRfc3339(token);
  if (outcome.valid) record.timestamp = new Date(outcome.epochMs);
  else record.fields.timestamp_invalid = token;
}

function readStructuredDataAndMessage(text: string, start: number, record: LogRecord): string {
  if (text[start] === '-') return messageAfter(text, start + 1, record);
  if (text[start] !== '[') {
    record.fields.sd_invalid = 'not "-" or "["';
    return stripBom(text.slice(start), record);
  }

  const reader = new SdReader(text, start);
  const outcome = reader.read();
  if (typeof outcome === 'string') {
    record.fields.sd_invalid = outcome;
    return stripBom(text.slice(start), record);
  }
  record.structuredData = outcome.data;
  if (outcome.duplicateIds.length > 0) record.fields.sd_duplicate = outcome.duplicateIds;
  return messageAfter(text, reader.index, record);
}

/** MSG: absent, or one SP then the rest. */
function messageAfter(text: string, index: number, record: LogRecord): string {
  if (index >= text.length) return '';
  const rest = text[index] === ' ' ? text.slice(index + 1) : text.slice(index);
  return stripBom(rest, record);
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * A leading BOM announces UTF-8 (MSG-UTF8) and is not part of the text. Senders that write it
 * before windows-1252 bytes break that promise: flagged, and decoded with the fallback anyway.
 */
function stripBom(text: string, record: LogRecord): string {
  if (text.charCodeAt(0) !== 0xfeff) return text;
  if (record.fields.encoding !== undefined) {
    const bomAt = record.raw.indexOf(BOM);
    if (bomAt !== -1 && !isUtf8(record.raw.subarray(bomAt + BOM.length))) {
      record.fields.bom_but_invalid_utf8 = true;
    }
  }
  return text.slice(1);
}

function nil(value: string): string | null {
  return value === '-' ? null : value;
}

interface SdOutcome {
  data: StructuredData;
  duplicateIds: string[];
}

/** A cursor over the SD elements; every step moves forward, so it cannot loop. */
class SdReader {
  index: number;
  readonly #text: string;

  constructor(text: string, start: number) {
    this.#text = text;
    this.index = start;
  }

  /** The parsed elements, or the reason the SD part breaks the grammar. */
  read(): SdOutcome | string {
    const data: StructuredData = {};
    const duplicateIds: string[] = [];

    while (this.#text[this.index] === '[') {
      this.index += 1;
      const id = this.#readName(SP);
      if (id === null) return 'bad SD-ID';

      const seen = Object.hasOwn(data, id);
      const params = seen ? data[id] : {};
      if (seen && !duplicateIds.includes(id)) duplicateIds.push(id);
      const problem = this.#readParams(params);
      if (problem !== null) return problem;
      setOwn(data, id, params);
    }
    return { data, duplicateIds };
  }

  #readParams(params: Record<string, string | string[]>): string | null {
    for (;;) {
      const next = this.#text[this.index];
      if (next === ']') {
        this.index += 1;
        return null;
      }
      if (next !== ' ') return next === undefined ? 'unterminated element' : 'bad separator';
      this.index += 1;

      const name = this.#readName(EQUALS);
      if (name === null || this.#text[this.index] !== '=') return 'bad PARAM-NAME';
      if (this.#text[this.index + 1] !== '"') return 'PARAM-VALUE not quoted';
      this.index += 2;

      const value = this.#readValue();
      if (value === null) return 'unescaped "]" or unterminated PARAM-VALUE';
      addParam(params, name, value);
    }
  }

  /** SD-NAME: 1–32 printable US-ASCII characters other than `=`, SP, `]`, `"`. */
  #readName(terminator: number): string | null {
    const start = this.index;
    const text = this.#text;
    while (this.index < text.length && this.index - start <= MAX_SD_NAME) {
      const code = text.charCodeAt(this.index);
      if (code === terminator || (terminator === SP && code === CLOSE_BRACKET)) break;
      if (code <= SP || code >= 0x7f || code === EQUALS || code === CLOSE_BRACKET ||
        code === QUOTE) return null;
      this.index += 1;
    }
    const length = this.index - start;
    if (length === 0 || length > MAX_SD_NAME) return null;
    return text.slice(start, this.index);
  }

  /**
   * PARAM-VALUE up to the closing quote; `\"`, `\\`, `\]` unescape, other `\` stay. Most
   * values have no backslash: they are one slice up to the next quote.
   */
  #readValue(): string | null {
    const text = this.#text;
    const quote = text.indexOf('"', this.index);
    if (quote === -1) return null;
    const plain = text.slice(this.index, quote);
    if (!plain.includes('\\')) {
      if (plain.includes(']')) return null;
      this.index = quote + 1;
      return plain;
    }
    return this.#readEscapedValue();
  }

  #readEscapedValue(): string | null {
    let value = '';
    let runStart = this.index;
    while (this.index < this.#text.length) {
      const char = this.#text[this.index];
      if (char === '"') {
        value += this.#text.slice(runStart, this.index);
        this.index += 1;
        return value;
      }
      if (char === ']') return null;
      if (char === '\\') {
        const escaped = this.#text[this.index + 1];
        if (escaped === '"' || escaped === '\\' || escaped === ']') {
          value += this.#text.slice(runStart, this.index) + escaped;
          this.index += 2;
          runStart = this.index;
          continue;
        }
      }
      this.index += 1;
    }
    return null;
  }
}

function addParam(params: Record<string, string | string[]>, name: string, value: string): void {
  const existing = Object.hasOwn(params, name) ? params[name] : undefined;
  if (existing === undefined) setOwn(params, name, value);
  else if (Array.isArray(existing)) existing.push(value);
  else setOwn(params, name, [existing, value]);
}

/**
 * Sets an own property, also for the name `__proto__`, which an assignment would take as the
 * prototype: sender-chosen names stay plain data. (Null-prototype objects would do the same,
 * but V8 keeps them in slow dictionary mode, which costs a third of an SD parse.)
 */
function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true,
      configurable: true });
  } else target[key] = value;
}
