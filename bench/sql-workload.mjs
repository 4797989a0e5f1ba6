// The messages of the SQL benchmark, shared by the sender (bench/sql.mjs) and the ceiling
// (bench/sql-ceiling.mjs) so the ceiling inserts the very rows logharbor would store.
//
// Every message is an RFC 3164 line of exactly 150 bytes with its LF, the shape of a real
// forwarded syslog line: `<PRI>Mmm dd hh:mm:ss host-NNN program[pid]: line NNNNNNN words…`,
// 50 hosts, 10 programs, varied facility and severity. The stamp is wall-clock time in the
// benchmark's zone (UTC), as a sender would write it.

const HOSTS = 50;
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

/** The fields of message `index` (`run` keeps the text of separate runs apart). */
export function messageFields(index, run, stampMs) {
  const facility = FACILITIES[(index >> 1) % FACILITIES.length];
  const severity = (index * 7) % 8;
  const stamp = new Date(Math.floor(stampMs / 1000) * 1000);
  const fields = {
    pri: facility * 8 + severity,
    facility,
    severity,
    stamp,
    host: `host-${pad(index % HOSTS, 3)}`,
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
