// Configurations of the peers, built from the parts a scenario asks for: listeners (UDP, TCP
// with LF framing, TCP with octet counting) and outputs, each the peer's own way of doing what
// logharbor does in that scenario:
//   file   one file, DIR/out/all.log                    rsyslog omfile, syslog-ng file()
//   hosts  DIR/out/HOST/YYYY-MM-DD.log, by receive day   rsyslog dynaFile, syslog-ng file(${HOST})
//   sql    every message a row of logharbor's `logs`     rsyslog ommysql, syslog-ng sql()
// Settings are each peer's recommended ones for throughput without loss; why is said beside.
import { join } from 'node:path';

/** Connections a TCP listener accepts: above the 1,000 of the concurrency scenario. */
const MAX_CONNECTIONS = 2000;

const LOGS_COLUMNS = 'host, facility, priority, level, tag, datetime, program, msg, ' +
  'received_at, source_ip, facility_num, severity_num, pid, msgid, sd, fields, format';

/**
 * rsyslog 8: imudp/imtcp in, omfile/dynaFile/ommysql out. `listen` is { udp, tcp } (ports;
 * imtcp detects octet counting by itself), `outputs` a list of the names above, `db` the
 * { port, user, password, database } of the `sql` output.
 */
export function rsyslogConfig({ dir, listen, outputs, db, messages, durable = false }) {
  const lines = [`global(workDirectory="${join(dir, 'work')}" maxMessageSize="64k")`];
  if (listen.udp) {
    // The kernel buffer logharbor asks for (8 MiB, capped by net.core.rmem_max).
    lines.push('module(load="imudp")',
      `input(type="imudp" address="127.0.0.1" port="${listen.udp}" rcvbufSize="8m")`);
  }
  if (listen.tcp) {
    // 200 sessions is imtcp's default, too few for the concurrency scenario.
    lines.push(`module(load="imtcp" maxSessions="${MAX_CONNECTIONS}")`,
      `input(type="imtcp" address="127.0.0.1" port="${listen.tcp}")`);
  }
  for (const output of outputs) {
    lines.push(...RSYSLOG_OUTPUTS[output]({ dir, db, messages, durable }));
  }
  return `${lines.join('\n')}\n`;
}

const RSYSLOG_OUTPUTS = {
  file: ({ dir }) => [`action(type="omfile" file="${join(dir, 'out/all.log')}"` +
    ' template="RSYSLOG_FileFormat")'],
  hosts: ({ dir }) => [
    `template(name="PerHostDay" type="string" string="${join(dir, 'out')}` +
      '/%HOSTNAME%/%$YEAR%-%$MONTH%-%$DAY%.log")',
    // The default cache of 10 open files reopens a file for almost every message of a
    // many-host load; 100 is what bench:archive measured rsyslog with.
    'action(type="omfile" dynaFile="PerHostDay" dynaFileCacheSize="100" createDirs="on"' +
      ' template="RSYSLOG_FileFormat")',
  ],
  sql: ({ db, messages, durable }) => [
    'module(load="ommysql")',
    ...RSYSLOG_ROW_TEMPLATE,
    // rsyslog's advice for database actions: their own queue, so a slow database does not
    // hold back the file action; large enough for the whole run, so nothing is discarded.
    `action(type="ommysql" server="127.0.0.1" serverport="${db.port}" db="${db.database}"`,
    `  uid="${db.user}" pwd="${db.password}" template="LogsRow"`,
    ...(durable ? RSYSLOG_DISK_ASSISTED : [
      `  queue.type="LinkedList" queue.size="${Math.max(100_000, messages * 2)}"`]),
    '  queue.dequeueBatchSize="1000" queue.workerThreads="1")',
  ],
};

/**
 * rsyslog's answer to a database outage: a disk-assisted action queue (LinkedList with a
 * file name) that spills to the work directory past its 100,000 messages in memory, kept
 * over a restart, and an action retried for ever, every 5 s, instead of giving up.
 */
const RSYSLOG_DISK_ASSISTED = [
  '  queue.type="LinkedList" queue.size="100000" queue.filename="ommysql"',
  '  queue.maxDiskSpace="4g" queue.saveOnShutdown="on"',
  '  action.resumeRetryCount="-1" action.resumeInterval="5"',
];

// Every column filled as far as rsyslog can compute it: `tag` holds the PRI in decimal (rsyslog
// has no hex form); `msgid`, `sd` and `fields` are NULL, as logharbor stores them for RFC 3164.
// ommysql sends one INSERT per message and wraps each dequeued batch in one transaction.
const RSYSLOG_ROW_TEMPLATE = [
  'template(name="LogsRow" type="list" option.sql="on") {',
  `  constant(value="INSERT INTO logs (${LOGS_COLUMNS}) VALUES ('")`,
  ...[
    'property(name="hostname")', 'property(name="syslogfacility-text")',
    'property(name="syslogseverity-text")', 'property(name="syslogseverity-text")',
    'property(name="pri")', 'property(name="timereported" dateFormat="pgsql")',
    'property(name="programname")', 'property(name="msg" position.from="2")',
  ].map((property) => `  ${property} constant(value="', '")`),
  '  property(name="timegenerated" dateFormat="pgsql") constant(value=".")',
  '  property(name="timegenerated" dateFormat="subseconds") constant(value="\', \'")',
  '  property(name="fromhost-ip") constant(value="\', \'")',
  '  property(name="syslogfacility") constant(value="\', \'")',
  '  property(name="syslogseverity") constant(value="\', \'")',
  '  property(name="procid")',
  '  constant(value="\', NULL, NULL, NULL, \'rfc3164\')")',
  '}',
];

/**
 * syslog-ng 3.38: network() in (syslog() for octet counting, which network() does not
 * understand), file()/sql() out, with flow control so a slow output slows TCP senders
 * instead of dropping. `listen` is { udp, tcp, octet }.
 */
export function syslogNgConfig({ dir, listen, outputs, db, durable = false }) {
  // The window of each connection is log-iw-size / max-connections: keep 100 messages each.
  const tcpLimits = `max-connections(${MAX_CONNECTIONS}) log-iw-size(${MAX_CONNECTIONS * 100})`;
  const sources = [];
  if (listen.udp) {
    sources.push(`network(ip("127.0.0.1") port(${listen.udp}) transport("udp")` +
      ' so-rcvbuf(8388608));');
  }
  if (listen.tcp) {
    sources.push(`network(ip("127.0.0.1") port(${listen.tcp}) transport("tcp") ${tcpLimits});`);
  }
  if (listen.octet) {
    sources.push(`syslog(ip("127.0.0.1") port(${listen.octet}) transport("tcp") ${tcpLimits});`);
  }
  const destinations = outputs.map((output) => SYSLOG_NG_OUTPUTS[output]({ dir, db, durable }));
  return [
    '@version: 3.38',
    'options { keep-hostname(yes); chain-hostnames(no); use-dns(no); dns-cache(no);',
    '  stats-freq(0); create-dirs(yes);',
    `  log-fifo-size(${MAX_CONNECTIONS * 100}); };`,
    `source s_in { ${sources.join(' ')} };`,
    ...destinations.map((text, index) => `destination d_${index} { ${text} };`),
    `log { source(s_in); ${destinations.map((_, index) => `destination(d_${index}); `).join('')}` +
      'flags(flow-control); };',
    '',
  ].join('\n');
}

const SYSLOG_NG_OUTPUTS = {
  file: ({ dir }) => `file("${join(dir, 'out/all.log')}");`,
  hosts: ({ dir }) => `file("${join(dir, 'out')}/\${HOST}/\${R_YEAR}-\${R_MONTH}-\${R_DAY}.log"` +
    ' create-dirs(yes));',
  // One INSERT per message; explicit-commits with batch-lines(1000) groups them into
  // transactions of 1000, its fastest setup (the default commits every row).
  sql: ({ dir, db, durable }) => [
    `sql(type(mysql) host("127.0.0.1") port("${db.port}") username("${db.user}")`,
    `  password("${db.password}") database("${db.database}") table("logs")`,
    `  columns(${LOGS_COLUMNS.split(', ').map((name) => `"${name}"`).join(', ')})`,
    '  values("${HOST}", "${FACILITY}", "${PRIORITY}", "${LEVEL}", "${TAG}",',
    '    "${S_YEAR}-${S_MONTH}-${S_DAY} ${S_HOUR}:${S_MIN}:${S_SEC}", "${PROGRAM}", "${MSGONLY}",',
    '    "${R_YEAR}-${R_MONTH}-${R_DAY} ${R_HOUR}:${R_MIN}:${R_SEC}.${R_MSEC}", "${SOURCEIP}",',
    '    "${FACILITY_NUM}", "${LEVEL_NUM}", "${PID}", "<null>", "<null>", "<null>", "rfc3164")',
    '  null("<null>") indexes() flags(explicit-commits) batch-lines(1000)',
    ...(durable ? syslogNgDiskBuffer(dir) : []),
    ');',
  ].join('\n'),
};

/**
 * syslog-ng's answer to a database outage: a reliable disk-buffer() (every message on disk
 * before it is acknowledged) in the run's directory, and a reconnect every 5 s instead of the
 * default 60.
 */
function syslogNgDiskBuffer(dir) {
  return [`  disk-buffer(reliable(yes) disk-buf-size(4294967296) mem-buf-size(16777216)`,
    `    dir("${join(dir, 'work')}")) time-reopen(5)`];
}
