// The benchmarks' messages, generated before any clock starts, the same for every system.
//
// Two mixes. `rfc3164`: RFC 3164 lines of exactly 150 bytes with the LF, the shape of a real
// forwarded syslog line: `<PRI>Mmm dd hh:mm:ss host-NNN program[pid]: line NNNNNNN words…`,
// 10 programs, varied facility and severity; the SQL scenarios use it, because the ceiling
// (bench/sql-ceiling.mjs) inserts the very rows logharbor stores for these lines
// (messageRow), and the peers' SQL templates are written for them. `mixed`: what a central
// collector sees, six in ten RFC 3164 lines as above, two RFC 5424 with structured data, one
// Snare for Windows event, one Cisco IOS line, all from the same hosts. Stamps are wall-clock
// time in the benchmark's zone (UTC), as a sender would write them.

const DEFAULT_HOSTS = 50;
const LINE_BYTES = 149;
const PROGRAMS = ['sshd', 'CRON', 'nginx', 'postfix/smtpd', 'kernel', 'sudo', 'systemd',
  'dhclient', 'named', 'haproxy'];
const FACILITIES = [0, 1, 3, 4, 10, 16, 17, 18, 19, 20, 21, 22, 23];
const FACILITY_NAMES = ['kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news',
  'uucp', 'cron', 'authpriv', 'ftp', 'ntp', 'security', 'console', 'solaris-cron', 'local0',
  'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'];
const SEVERITY_NAMES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov',
  'Dec'];
const FILLER = ('alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike ' +
  'november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu ')
  .repeat(2);

const pad = (value, width) => String(value).padStart(width, '0');

/**
 * The fields of RFC 3164 message `index` (`run` keeps the text of separate runs apart), from
 * one of `hosts` hosts.
 */
export function messageFields(index, run, stampMs, hosts = DEFAULT_HOSTS) {
  const facility = FACILITIES[(index >> 1) % FACILITIES.length];
  const severity = (index * 7) % 8;
  const stamp = new Date(Math.floor(stampMs / 1000) * 1000);
  const fields = {
    pri: facility * 8 + severity,
    facility,
    severity,
    stamp,
    host: hostName(index, hosts),
    program: PROGRAMS[index % PROGRAMS.length],
    pid: String(1000 + (index % 977)),
  };
  const head = `<${fields.pri}>${rfc3164Stamp(stamp)} ${fields.host} ${fields.program}` +
    `[${fields.pid}]: `;
  const text = `${run} line ${pad(index, 7)} `;
  fields.msg = (text + FILLER).slice(0, LINE_BYTES - head.length);
  fields.line = head + fields.msg;
  return fields;
}

const hostName = (index, hosts) =>
  `host-${pad(index % hosts, Math.max(3, String(hosts - 1).length))}`;

/** Lines `from` … `from + count - 1`, each with its LF, cut into Buffers of `perChunk`. */
export function messageChunks({ from, count, run, stampMs, perChunk = 400 }) {
  const chunks = [];
  for (let start = from; start < from + count; start += perChunk) {
    const end = Math.min(from + count, start + perChunk);
    let text = '';
    for (let index = start; index < end; index += 1) {
      text += `${messageFields(index, run, stampMs).line}\n`;
    }
    chunks.push(Buffer.from(text, 'latin1'));
  }
  return chunks;
}

/** The `logs` row logharbor stores for message `index` (DESIGN.md §3), as column values. */
export function messageRow(index, run, stampMs) {
  const fields = messageFields(index, run, stampMs);
  const received = new Date(stampMs + index);
  return [fields.host, FACILITY_NAMES[fields.facility], SEVERITY_NAMES[fields.severity],
    SEVERITY_NAMES[fields.severity], fields.pri.toString(16).padStart(2, '0'),
    sqlTime(fields.stamp).slice(0, 19), fields.program, fields.msg, sqlTime(received),
    '127.0.0.1', fields.facility, fields.severity, fields.pid, null, null, null, 'rfc3164'];
}

export const ROW_COLUMNS = ['host', 'facility', 'priority', 'level', 'tag', 'datetime',
  'program', 'msg', 'received_at', 'source_ip', 'facility_num', 'severity_num', 'pid', 'msgid',
  'sd', 'fields', 'format'];

function rfc3164Stamp(date) {
  const day = String(date.getUTCDate()).padStart(2, ' ');
  return `${MONTHS[date.getUTCMonth()]} ${day} ${pad(date.getUTCHours(), 2)}:` +
    `${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}`;
}

/** `YYYY-MM-DD HH:MM:SS.mmm` in UTC. */
function sqlTime(date) {
  return date.toISOString().replace('T', ' ').slice(0, 23);
}

const MIXED = ['rfc3164', 'rfc3164', 'rfc3164', 'rfc5424', 'rfc3164', 'snare', 'rfc3164',
  'rfc5424', 'rfc3164', 'cisco'];

/** Message `index` of `mix`, without a terminator. */
export function messageText(index, { mix, run, stampMs, hosts = DEFAULT_HOSTS }) {
  const kind = mix === 'mixed' ? MIXED[index % MIXED.length] : mix;
  if (kind === 'rfc3164') return messageFields(index, run, stampMs, hosts).line;
  const host = hostName(index, hosts);
  return OTHER_FORMATS[kind](index, { run, host, stamp: new Date(stampMs) });
}

const OTHER_FORMATS = {
  rfc5424: (index, { run, host, stamp }) => `<165>1 ${stamp.toISOString()} ${host} ` +
    `${PROGRAMS[index % PROGRAMS.length].replace('/', '-')} ${1000 + (index % 977)} ID47 ` +
    `[exampleSDID@32473 iut="3" eventSource="Application" eventID="${1000 + (index % 100)}"]` +
    `[meta sequenceId="${index}"] ${run} line ${pad(index, 7)} ${FILLER.slice(0, 60)}`,
  // Snare for Windows inside an RFC 3164 header, tab-delimited as it sends by default.
  snare: (index, { run, host, stamp }) => [`<13>${rfc3164Stamp(stamp)} ${host} MSWinEventLog`,
    '1', 'Security', String(index), snareStamp(stamp), '4624',
    'Microsoft-Windows-Security-Auditing', `CORP\\user${index % 50}`, 'N/A', 'Success Audit',
    `${host}.corp.example`, 'Logon', '',
    `An account was successfully logged on. ${run} line ${pad(index, 7)}`, String(index)]
    .join('\t'),
  // Cisco IOS with sequence numbers, origin-id and a UTC clock, as `service timestamps` sends.
  cisco: (index, { run, host, stamp }) => `<190>${index}: ${host}: ${index}: ` +
    `${ciscoStamp(stamp)}: %SEC-6-IPACCESSLOGP: list 101 denied tcp ` +
    `10.1.${(index >> 8) & 255}.${index & 255}(51234) -> 10.2.2.2(443), 1 packet ${run}`,
};

/** `Thu Dec 03 18:58:11 2026`, Snare's own event time. */
function snareStamp(date) {
  const [weekday, day, month, year, time] = date.toUTCString().replace(',', '').split(' ');
  return `${weekday} ${month} ${day} ${time} ${year}`;
}

function ciscoStamp(date) {
  return `${rfc3164Stamp(date).slice(0, 6)} ${date.getUTCFullYear()} ` +
    `${date.toISOString().slice(11, 23)} UTC`;
}

/**
 * Messages `from` … `from + count - 1` of `spec` as one Buffer without terminators, and
 * `ends[i]`, where message i ends (message i starts at ends[i - 1], the first at 0). One
 * allocation for a million messages, so generating them costs little next to sending them.
 */
export function buildMessages({ from = 0, count, ...spec }) {
  const ends = new Uint32Array(count);
  const parts = [];
  let text = '';
  let length = 0;
  for (let index = 0; index < count; index += 1) {
    const message = messageText(from + index, spec);
    text += message;
    length += message.length;
    ends[index] = length;
    if (text.length > 1 << 20) {
      parts.push(Buffer.from(text, 'latin1'));
      text = '';
    }
  }
  parts.push(Buffer.from(text, 'latin1'));
  return { bytes: Buffer.concat(parts, length), ends };
}
