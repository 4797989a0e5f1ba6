/**
 * Scenario 4: an OpenERP 6.0 server's log file, written here in 6.0's file format
 * (`[asctime][dbname] LEVEL:logger:message`, FORMATS.md §7), forwarded line by line by
 * syslog-ng's file() source with program-override("openerp-server") and by rsyslog's imfile,
 * as the README tells users to set them up. Every header line becomes an `openerp` row with
 * its db, level and logger; the traceback lines, which carry no header, keep their envelope's
 * format and are marked as continuations (DESIGN.md §3).
 */
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { tempDir, removeDir } from '../helpers/collector.js';
import {
  interopRequired, missingSenders, startRsyslog, startSyslogNg, SYSLOG_NG_OPTIONS,
} from './daemons.js';
import {
  expectRow, finalRows, inWindow, openWindow, startCollectors, waitForStored, type RowView,
} from './rows.js';

const skip = missingSenders(['rsyslog', 'syslog-ng']);
if (skip !== false && interopRequired) t.fail(`LH_TEST_INTEROP=1 but ${skip}`);

const HOST = hostname().split('.')[0];

interface OpenerpLine {
  time: string;
  db: string;
  level: string;
  logger: string;
  text: string;
}

const RECORDS: Array<OpenerpLine | string> = [
  { time: '2026-12-03 18:58:12,345', db: '?', level: 'INFO', logger: 'web-services',
    text: 'starting XML-RPC services, port 8069' },
  { time: '2026-12-03 18:58:12,351', db: '?', level: 'INFO', logger: 'server',
    text: 'OpenERP server is running, waiting for connections...' },
  { time: '2026-12-03 18:58:40,002', db: 'prod_fr', level: 'WARNING', logger: 'orm',
    text: 'Field sale.order.note: unknown type html, using char' },
  { time: '2026-12-03 18:59:01,117', db: 'prod_fr', level: 'ERROR', logger: 'web-services',
    text: 'Uncaught exception in dispatch: KeyError res.partner.title' },
  'Traceback (most recent call last):',
  '  File "/usr/lib/openerp-server/netsvc.py", line 489, in dispatch',
  '    result = ExportService.getService(service_name).dispatch(method, auth, params)',
  'KeyError: \'res.partner.title\'',
  { time: '2026-12-03 18:59:02,500', db: 'prod_fr', level: 'INFO', logger: 'web-services',
    text: 'successful login from \'admin\' using database \'prod_fr\' (Grüße)' },
];

function lineOf(record: OpenerpLine | string): string {
  if (typeof record === 'string') return record;
  return `[${record.time}][${record.db}] ${record.level}:${record.logger}:${record.text}`;
}

/**
 * The row of each line: local5.info as both relays are told, the line as msg. `lostSpace`:
 * rsyslog's RFC 3164 templates write `TAG` and the message with ONE space between them only
 * when the message does not already start with one, so an indented line loses one space.
 */
function expected(format: 'rfc3164' | 'rfc5424', lostSpace = false): RowView[] {
  return RECORDS.map((record) => {
    const base = { host: HOST, program: 'openerp-server', facility: 'local5', severity: 'info' };
    if (typeof record === 'string') {
      const msg = lostSpace && record.startsWith(' ') ? record.slice(1) : record;
      return expectRow({ ...base, format, msg, fields: { continuation: true } });
    }
    return expectRow({ ...base, format: 'openerp', msg: lineOf(record), fields: {
      db: record.db, level: record.level, logger: record.logger, text: record.text,
      oe_time: record.time, oe_format: 'openerp-6.0-file' } });
  });
}

t.test('an OpenERP 6.0 log file forwarded by syslog-ng file() and rsyslog imfile arrives line ' +
  'by line as openerp rows', { skip }, async (t) => {
  const collectors = await startCollectors(['syslog-ng', 'rsyslog-5424', 'rsyslog-3164'],
    t.teardown);
  const dir = tempDir('logharbor-openerp-');
  t.teardown(() => removeDir(dir));
  const logFile = join(dir, 'openerp-server.log');
  writeFileSync(logFile, RECORDS.map((record) => `${lineOf(record)}\n`).join(''));
  const window = openWindow();

  const syslogNg = await startSyslogNg({ dir: join(dir, 'sng'), config: SYSLOG_NG_OPTIONS +
    `source s_openerp { file("${logFile}" follow-freq(1) flags(no-parse)\n` +
    '  program-override("openerp-server") default-facility(local5) default-priority(info)); };\n' +
    'destination d_harbor { network("127.0.0.1" ' +
    `port(${collectors['syslog-ng'].tcpPort}) transport("tcp")); };\n` +
    'log { source(s_openerp); destination(d_harbor); };\n' });
  t.teardown(syslogNg.stop);
  const forward = (port: number, template: string, framing: string): string =>
    `  action(type="omfwd" target="127.0.0.1" port="${port}" protocol="tcp" ` +
    `TCP_Framing="${framing}" template="${template}")\n`;
  const rsyslog = await startRsyslog({ dir: join(dir, 'rs'), config:
    `global(workDirectory="${dir}/rs/work")\nmodule(load="imfile")\n` +
    `input(type="imfile" File="${logFile}" Tag="openerp-server:" Facility="local5" ` +
    'Severity="info" ruleset="openerp")\nruleset(name="openerp") {\n' +
    forward(collectors['rsyslog-5424'].tcpPort, 'RSYSLOG_SyslogProtocol23Format',
      'octet-counted') +
    forward(collectors['rsyslog-3164'].tcpPort, 'RSYSLOG_ForwardFormat', 'traditional') +
    '}\n' });
  t.teardown(rsyslog.stop);

  await Promise.all(Object.values(collectors)
    .map((collector) => waitForStored(collector, RECORDS.length)));
  const sent = window.close();
  await Promise.all([syslogNg.stop(), rsyslog.stop()]);

  const rows = async (name: keyof typeof collectors) =>
    (await finalRows(collectors[name])).map((row) => inWindow(row, sent));
  t.same(await rows('syslog-ng'), expected('rfc3164'), 'syslog-ng file() to network() TCP');
  t.same(await rows('rsyslog-5424'), expected('rfc5424'),
    'rsyslog imfile to RSYSLOG_SyslogProtocol23Format, octet counting');
  t.same(await rows('rsyslog-3164'), expected('rfc3164', true),
    'rsyslog imfile to RSYSLOG_ForwardFormat, TCP LF');
});
