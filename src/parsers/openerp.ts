/**
 * OpenERP / Odoo server log records, recognised inside whatever envelope carried them
 * (RFC 3164 with or without a TAG, RFC 5424, or none):
 *
 *   6.0 file:        "[" DATE SP TIME "][" DB "]" SP LEVEL ":" LOGGER ":" TEXT
 *   6.1+ file, Odoo: DATE SP TIME SP PID SP LEVEL SP DB SP LOGGER ":" SP TEXT
 *   --syslog:        PRODUCT SP VERSION ":" DB ":" LEVEL ":" LOGGER ":" TEXT
 *   DATE SP TIME   = YYYY-MM-DD SP HH:MM:SS "," mmm     Python's asctime: server time, no zone
 *   PRODUCT        = "OpenERP Server" / "Odoo Server"
 *   LEVEL          = DEBUG_SQL / DEBUG_RPC_ANSWER / DEBUG_RPC / DEBUG / TEST / INFO / WARNING /
 *                    ERROR / CRITICAL
 *
 * The envelope keeps its program, pid and message; the record only gains `format = openerp`
 * and the fields. The PRI's severity stays: Python's SysLogHandler sends the levels it does
 * not know as WARNING, so the real level is `fields.level`.
 */
import type { LogRecord, RecordFields } from '../record.js';
import { isDigitCode, isDigits } from './chars.js';
import { digitsAt } from './timestamp.js';

const LEVELS = new Set(['DEBUG_SQL', 'DEBUG_RPC_ANSWER', 'DEBUG_RPC', 'DEBUG', 'TEST', 'INFO',
  'WARNING', 'ERROR', 'CRITICAL']);
const PRODUCTS = ['OpenERP Server', 'Odoo Server'];
/** `YYYY-MM-DD HH:MM:SS,mmm` */
const ASCTIME_LENGTH = 23;
/** Database names, logger names, versions and levels are short; bounds every search. */
const MAX_NAME = 128;

/** Gives `record` the OpenERP format and fields when its message carries an OpenERP line. */
export function recogniseOpenerp(record: LogRecord): boolean {
  const candidate = record.format === 'rfc5424' ? lineIn5424(record) : lineIn3164(record);
  if (candidate === null) return false;
  const fields = readOpenerpLine(candidate.line);
  if (fields === null) return false;

  record.format = 'openerp';
  Object.assign(record.fields, fields, candidate.flags);
  return true;
}

/** The fields of one OpenERP line in any of the three layouts; null for any other text. */
export function readOpenerpLine(line: string): RecordFields | null {
  const first = line.charCodeAt(0);
  if (first === 0x5b) return readSixZeroFile(line);
  if (isDigitCode(first)) return readSixOneFile(line);
  return readSyslogHandler(line);
}

interface Candidate {
  line: string;
  flags: RecordFields;
}

/**
 * syslog-ng and rsyslog split a `--syslog` record at its first space: APP-NAME `OpenERP` and
 * MSG `Server 6.0.3:...` (rsyslog keeps a leading space). syslog-ng's default file() source
 * reads `[2026-12-03 18:02:44,357][?] ...` as an empty program with PID `2026-12-03`: both
 * are rebuilt exactly, since the split removed one space and nothing else.
 */
function lineIn5424(record: LogRecord): Candidate | null {
  const { appName, procId, message } = record;
  if (appName === 'OpenERP' || appName === 'Odoo') {
    const rest = message.charCodeAt(0) === 0x20 ? message.slice(1) : message;
    return { line: `${appName} ${rest}`, flags: {} };
  }
  if (appName === null && procId !== null && isDate(procId) && isSplitTime(message)) {
    const line = `[${procId} ${message}`;
    return { line, flags: { reconstructed_line: line } };
  }
  return mayStartOpenerp(message) ? { line: message, flags: {} } : null;
}

/**
 * Python 2.6 put a UTF-8 BOM before the PRI, which relays mangle: rsyslog forwards a lone
 * 0xBF (`¿`) and the original `<11>` as text; with the BOM after the PRI it is glued to the
 * TAG. The real PRI is kept in `fields.real_pri`; the record keeps the relay's.
 */
function lineIn3164(record: LogRecord): Candidate | null {
  const message = record.message;
  const first = message.charCodeAt(0);
  if (first !== 0xfeff && first !== 0xbf) {
    return mayStartOpenerp(message) ? { line: message, flags: {} } : null;
  }

  const flags: RecordFields = first === 0xfeff ? { bom_in_tag: true } : {};
  const pri = embeddedPri(message, 1);
  if (pri === null) return { line: message.slice(1), flags };
  flags.real_pri = pri.value;
  return { line: message.slice(pri.end), flags };
}

/** A cheap look at the first characters, so ordinary messages cost one comparison. */
function mayStartOpenerp(message: string): boolean {
  const first = message.charCodeAt(0);
  return first === 0x5b || first === 0x4f || (isDigitCode(first) && message[4] === '-');
}

function embeddedPri(text: string, index: number): { value: number; end: number } | null {
  if (text[index] !== '<') return null;
  const close = text.indexOf('>', index + 1);
  const digits = text.slice(index + 1, close);
  if (close === -1 || digits.length > 3 || !isDigits(digits) || Number(digits) > 191) {
    return null;
  }
  return { value: Number(digits), end: close + 1 };
}

/** `[2026-12-03 18:02:44,357][prod_fr] INFO:server:text` */
function readSixZeroFile(line: string): RecordFields | null {
  if (!isAsctime(line, 1) || line[1 + ASCTIME_LENGTH] !== ']' ||
    line[2 + ASCTIME_LENGTH] !== '[') return null;

  const dbStart = 3 + ASCTIME_LENGTH;
  const dbEnd = boundedIndexOf(line, '] ', dbStart);
  if (dbEnd === -1) return null;
  const levelEnd = boundedIndexOf(line, ':', dbEnd + 2);
  const loggerEnd = boundedIndexOf(line, ':', levelEnd + 1);
  const level = line.slice(dbEnd + 2, levelEnd);
  if (levelEnd === -1 || loggerEnd === -1 || !LEVELS.has(level)) return null;

  return {
    db: line.slice(dbStart, dbEnd),
    level,
    logger: line.slice(levelEnd + 1, loggerEnd),
    text: line.slice(loggerEnd + 1),
    oe_time: line.slice(1, 1 + ASCTIME_LENGTH),
    oe_format: 'openerp-6.0-file',
  };
}

/** `2012-03-14 09:32:18,123 4242 INFO prod_fr openerp.modules.loading: text` */
function readSixOneFile(line: string): RecordFields | null {
  if (!isAsctime(line, 0) || line[ASCTIME_LENGTH] !== ' ') return null;

  const pidEnd = boundedIndexOf(line, ' ', ASCTIME_LENGTH + 1);
  const levelEnd = boundedIndexOf(line, ' ', pidEnd + 1);
  const dbEnd = boundedIndexOf(line, ' ', levelEnd + 1);
  const loggerEnd = boundedIndexOf(line, ': ', dbEnd + 1);
  if (pidEnd === -1 || levelEnd === -1 || dbEnd === -1 || loggerEnd === -1) return null;

  const pid = line.slice(ASCTIME_LENGTH + 1, pidEnd);
  const level = line.slice(pidEnd + 1, levelEnd);
  const logger = line.slice(dbEnd + 1, loggerEnd);
  if (!isDigits(pid) || !LEVELS.has(level) || logger === '' || logger.includes(' ')) {
    return null;
  }
  return {
    db: line.slice(levelEnd + 1, dbEnd),
    level,
    logger,
    text: line.slice(loggerEnd + 2),
    pid: Number(pid),
    oe_time: line.slice(0, ASCTIME_LENGTH),
    oe_format: 'openerp-6.1+-file',
  };
}

/** `OpenERP Server 6.0.3:prod_fr:INFO:web-services:text` (SysLogHandler, no stamp of its own) */
function readSyslogHandler(line: string): RecordFields | null {
  const product = PRODUCTS.find((name) => line.startsWith(name) && line[name.length] === ' ');
  if (product === undefined) return null;

  const versionEnd = boundedIndexOf(line, ':', product.length + 1);
  const dbEnd = boundedIndexOf(line, ':', versionEnd + 1);
  const levelEnd = boundedIndexOf(line, ':', dbEnd + 1);
  const loggerEnd = boundedIndexOf(line, ':', levelEnd + 1);
  if (versionEnd === -1 || dbEnd === -1 || levelEnd === -1 || loggerEnd === -1) return null;

  const version = line.slice(product.length + 1, versionEnd);
  const level = line.slice(dbEnd + 1, levelEnd);
  if (version === '' || version.includes(' ') || !LEVELS.has(level)) return null;
  return {
    db: line.slice(versionEnd + 1, dbEnd),
    level,
    logger: line.slice(levelEnd + 1, loggerEnd),
    text: line.slice(loggerEnd + 1),
    product,
    version,
    oe_format: 'openerp-syslog-handler',
  };
}

/** `YYYY-MM-DD HH:MM:SS,mmm` at `index`. */
function isAsctime(line: string, index: number): boolean {
  return isDate(line.slice(index, index + 10)) && line[index + 10] === ' ' &&
    isTime(line, index + 11) && line[index + 19] === ',' && digitsAt(line, index + 20, 3) >= 0;
}

/** `YYYY-MM-DD`, the whole of `text`. */
function isDate(text: string): boolean {
  return text.length === 10 && digitsAt(text, 0, 4) >= 0 && text[4] === '-' &&
    digitsAt(text, 5, 2) >= 0 && text[7] === '-' && digitsAt(text, 8, 2) >= 0;
}

/** The rest of a 6.0 header after syslog-ng split it: `HH:MM:SS,mmm][`. */
function isSplitTime(text: string): boolean {
  return isTime(text, 0) && text[8] === ',' && digitsAt(text, 9, 3) >= 0 &&
    text.startsWith('][', 12);
}

function isTime(text: string, index: number): boolean {
  return digitsAt(text, index, 2) >= 0 && text[index + 2] === ':' &&
    digitsAt(text, index + 3, 2) >= 0 && text[index + 5] === ':' &&
    digitsAt(text, index + 6, 2) >= 0;
}

/** `indexOf` that gives up after MAX_NAME characters (and on a -1 start). */
function boundedIndexOf(line: string, search: string, from: number): number {
  if (from <= 0) return -1;
  const found = line.indexOf(search, from);
  return found === -1 || found - from > MAX_NAME ? -1 : found;
}
