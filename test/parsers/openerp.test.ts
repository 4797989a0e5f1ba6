import t from 'tap';
import { ContinuationTracker } from '../../src/parsers/continuation.js';
import { newChain, parseLine, view } from '../helpers/corpus.js';

const SIX_ZERO = '[2026-12-03 18:01:30,474][prod_fr] ERROR:web-services:Uncaught exception';

t.test('OpenERP 6.0 file line behind a TAG keeps its envelope', async (t) => {
  const record = parseLine(`<174>Dec  3 19:01:30 vm openerp-server: ${SIX_ZERO}`);
  t.strictSame(view(record), {
    format: 'openerp',
    facility: 21,
    severity: 6,
    timestamp: '2026-12-03T19:01:30.000Z',
    hostname: 'vm',
    appName: 'openerp-server',
    procId: null,
    message: SIX_ZERO,
    fields: {
      db: 'prod_fr',
      level: 'ERROR',
      logger: 'web-services',
      text: 'Uncaught exception',
      oe_time: '2026-12-03 18:01:30,474',
      oe_format: 'openerp-6.0-file',
    },
  });
});

t.test('OpenERP levels are recognised and unknown ones are not', async (t) => {
  for (const level of ['DEBUG_SQL', 'DEBUG_RPC_ANSWER', 'DEBUG_RPC', 'DEBUG', 'TEST', 'INFO',
    'WARNING', 'ERROR', 'CRITICAL']) {
    const record = parseLine(`<174>Dec  3 19:01:30 vm oe: [2026-12-03 18:01:30,474][?] ${level}` +
      ':server:text');
    t.equal(record.fields.level, level, level);
  }
  const notice = parseLine('<174>Dec  3 19:01:30 vm oe: [2026-12-03 18:01:30,474][?] NOTICE:a:b');
  t.equal(notice.format, 'rfc3164');
});

t.test('OpenERP 6.0 text keeps its colons and leading spaces', async (t) => {
  const record = parseLine('<174>Jun 15 10:24:02 erp01 openerp-server: [2011-06-15 10:24:02,512]' +
    '[prod_fr] DEBUG_RPC:params: 1,');
  t.equal(record.fields.logger, 'params');
  t.equal(record.fields.text, ' 1,');
  const colons = parseLine('<174>Dec  3 19:01:30 vm oe: [2026-12-03 18:01:30,165][prod_fr] TEST:' +
    'tests.account:account_test.yml: Check that invoice is open');
  t.equal(colons.fields.logger, 'tests.account');
  t.equal(colons.fields.text, 'account_test.yml: Check that invoice is open');
});

t.test('OpenERP 6.1 file line has a numeric pid', async (t) => {
  const record = parseLine('<174>Mar 14 09:32:18 erp02 openerp-server: 2012-03-14 09:32:18,123 ' +
    '4242 INFO prod_fr openerp.modules.loading: loading 1 modules...');
  t.equal(record.format, 'openerp');
  t.strictSame(record.fields, {
    db: 'prod_fr',
    level: 'INFO',
    logger: 'openerp.modules.loading',
    text: 'loading 1 modules...',
    pid: 4242,
    oe_time: '2012-03-14 09:32:18,123',
    oe_format: 'openerp-6.1+-file',
  });
});

t.test('Odoo file line with an odoo.* logger', async (t) => {
  const record = parseLine('<174>Mar 14 09:32:18 erp02 odoo: 2016-01-20 10:00:00,001 2231 ' +
    'WARNING prod odoo.addons.base.ir.ir_cron: Skipping database prod');
  t.equal(record.fields.logger, 'odoo.addons.base.ir.ir_cron');
  t.equal(record.fields.db, 'prod');
  t.equal(record.fields.pid, 2231);
});

t.test('OpenERP --syslog line keeps the PRI severity and reads the level', async (t) => {
  const record = parseLine('<12>Dec  3 19:01:23 vm OpenERP Server 6.0.3:prod_fr:DEBUG_RPC:' +
    "service:'object'");
  t.equal(record.format, 'openerp');
  t.equal(record.severity, 4);
  t.equal(record.appName, null);
  t.equal(record.message, "OpenERP Server 6.0.3:prod_fr:DEBUG_RPC:service:'object'");
  t.strictSame(record.fields, {
    db: 'prod_fr', level: 'DEBUG_RPC', logger: 'service', text: "'object'",
    product: 'OpenERP Server', version: '6.0.3', oe_format: 'openerp-syslog-handler',
  });
});

t.test('OpenERP --syslog split into RFC 5424 APP-NAME and MSG is joined back', async (t) => {
  const syslogNg = parseLine('<12>1 2026-12-03T13:02:38-05:00 vm OpenERP - - [meta sequenceId=' +
    '"16"] Server 6.0.3:prod_fr:DEBUG_SQL:sql_db:query: SELECT id FROM res_partner');
  t.equal(syslogNg.format, 'openerp');
  t.equal(syslogNg.appName, 'OpenERP');
  t.equal(syslogNg.fields.text, 'query: SELECT id FROM res_partner');
  t.equal(syslogNg.fields.version, '6.0.3');

  const rsyslog = parseLine('<14>1 2026-12-03T19:01:22.986583+01:00 vm OpenERP - - -  Server ' +
    '6.0.3:?:INFO:server:OpenERP version - 6.0.3');
  t.equal(rsyslog.format, 'openerp');
  t.equal(rsyslog.message, ' Server 6.0.3:?:INFO:server:OpenERP version - 6.0.3');
  t.equal(rsyslog.fields.db, '?');
});

t.test('OpenERP --syslog with a BOM glued to the TAG', async (t) => {
  const record = parseLine('<11>Dec  3 19:07:42 vm \uFEFFOpenERP Server 6.0.3:prod_fr:ERROR:' +
    'web-services:Réception impossible');
  t.equal(record.format, 'openerp');
  t.equal(record.fields.bom_in_tag, true);
  t.equal(record.fields.text, 'Réception impossible');
});

t.test('OpenERP --syslog behind a lone 0xBF keeps the relay PRI and notes the real one',
  async (t) => {
    const bytes = Buffer.concat([Buffer.from('<0>Dec  3 19:07:40 vm '), Buffer.from([0xbf]),
      Buffer.from('<11>OpenERP Server 6.0.3:prod_fr:ERROR:web-services:Réception impossible')]);
    const record = parseLine(bytes);
    t.equal(record.format, 'openerp');
    t.equal(record.severity, 0);
    t.equal(record.fields.real_pri, 11);
    t.equal(record.fields.encoding, 'windows-1252');
    t.equal(record.fields.level, 'ERROR');
  });

t.test('OpenERP 6.0 line cut by syslog-ng into PROCID and MSG is rebuilt', async (t) => {
  const record = parseLine('<13>1 2026-12-03T13:02:44-05:00 vm - 2026-12-03 - [meta sequenceId=' +
    '"29"] 18:02:44,357][?] INFO:server:OpenERP version - 6.0.3');
  t.equal(record.format, 'openerp');
  t.equal(record.procId, '2026-12-03');
  t.equal(record.message, '18:02:44,357][?] INFO:server:OpenERP version - 6.0.3');
  t.equal(record.fields.reconstructed_line,
    '[2026-12-03 18:02:44,357][?] INFO:server:OpenERP version - 6.0.3');
  t.equal(record.fields.oe_time, '2026-12-03 18:02:44,357');
});

t.test('OpenERP 6.0 line without a TAG or without any syslog header', async (t) => {
  const tagless = parseLine('<13>Dec  3 13:02:44 vm [2026-12-03 18:02:44,357][?] INFO:server:up');
  t.equal(tagless.format, 'openerp');
  t.equal(tagless.appName, null);

  const bare = parseLine('[2026-12-03 18:02:44,357][?] INFO:server:up');
  t.equal(bare.format, 'openerp');
  t.equal(bare.hostname, null);
  t.equal(bare.fields.pri_missing, true);
  t.equal(bare.message, '[2026-12-03 18:02:44,357][?] INFO:server:up');
});

t.test('text shaped almost like OpenERP is left alone', async (t) => {
  for (const message of ['[2026-12-03] INFO:x:y', '2026-12-03 nothing here',
    'OpenERP Server is down', 'OpenERP Server 6.0:db:LOUD:x:y', '[2026-12-03 18:02:44,357]']) {
    t.equal(parseLine(`<13>Dec  3 13:02:44 vm app: ${message}`).format, 'rfc3164', message);
  }
});

const HEADER = `<174>Jun 15 10:28:00 erp01 openerp-server: ${SIX_ZERO}`;
const TRACEBACK = ['Traceback (most recent call last):', '  File "x.py", line 69, in <module>',
  "KeyError: 'partner_id'"];

t.test('traceback lines after an OpenERP line are continuations', async (t) => {
  const chain = newChain();
  t.equal(parseLine(HEADER, { chain }).format, 'openerp');
  for (const line of TRACEBACK) {
    const record = parseLine(`<174>Jun 15 10:28:00 erp01 openerp-server: ${line}`, { chain });
    t.equal(record.format, 'rfc3164', line);
    t.equal(record.fields.continuation, true, line);
  }
});

t.test('continuation needs the same host and program', async (t) => {
  const chain = newChain();
  parseLine(HEADER, { chain });
  const otherHost = parseLine(`<174>Jun 15 10:28:00 erp02 openerp-server: ${TRACEBACK[0]}`,
    { chain });
  const otherProgram = parseLine(`<174>Jun 15 10:28:00 erp01 cron: ${TRACEBACK[0]}`, { chain });
  t.equal(otherHost.fields.continuation, undefined);
  t.equal(otherProgram.fields.continuation, undefined);
  t.equal(parseLine(`<174>Jun 15 10:28:00 erp01 openerp-server: ${TRACEBACK[0]}`).fields
    .continuation, undefined, 'a fresh chain has no state');
});

t.test('a --syslog record does not start continuations', async (t) => {
  const chain = newChain();
  parseLine('<11>Jun 15 10:32:00 erp01 OpenERP Server 6.0.4:prod_fr:ERROR:x:[01]: boom', { chain });
  const next = parseLine('<13>Jun 15 10:32:00 erp01 something else entirely', { chain });
  t.equal(next.fields.continuation, undefined);
});

t.test('continuation state forgets the least recently seen program first', async (t) => {
  const chain = newChain('UTC', 2);
  for (const program of ['oe-a', 'oe-b', 'oe-c']) {
    parseLine(`<174>Jun 15 10:28:00 erp01 ${program}: ${SIX_ZERO}`, { chain });
  }
  const evicted = parseLine(`<174>Jun 15 10:28:01 erp01 oe-a: ${TRACEBACK[0]}`, { chain });
  const kept = parseLine(`<174>Jun 15 10:28:01 erp01 oe-c: ${TRACEBACK[0]}`, { chain });
  t.equal(evicted.fields.continuation, undefined);
  t.equal(kept.fields.continuation, true);
});

t.test('a new program is tracked even when every remembered one is active', async (t) => {
  const chain = newChain('UTC', 2);
  for (const program of ['oe-a', 'oe-b']) {
    parseLine(`<174>Jun 15 10:28:00 erp01 ${program}: ${SIX_ZERO}`, { chain });
    parseLine(`<174>Jun 15 10:28:00 erp01 ${program}: ${TRACEBACK[0]}`, { chain });
  }
  parseLine(`<174>Jun 15 10:28:01 erp01 oe-c: ${SIX_ZERO}`, { chain });
  const next = parseLine(`<174>Jun 15 10:28:01 erp01 oe-c: ${TRACEBACK[0]}`, { chain });
  t.equal(next.fields.continuation, true);
});

t.test('continuation state never grows past its bound', async (t) => {
  const chain = newChain('UTC', 100);
  for (let index = 0; index < 1000; index += 1) {
    parseLine(`<174>Jun 15 10:28:00 erp${index} oe: ${SIX_ZERO}`, { chain });
  }
  const newest = parseLine(`<174>Jun 15 10:28:00 erp999 oe: ${TRACEBACK[0]}`, { chain });
  const oldest = parseLine(`<174>Jun 15 10:28:00 erp0 oe: ${TRACEBACK[0]}`, { chain });
  t.equal(newest.fields.continuation, true);
  t.equal(oldest.fields.continuation, undefined);
});

t.test('the continuation tracker holds at most its capacity of keys', async (t) => {
  const tracker = new ContinuationTracker(3);
  for (let index = 0; index < 50; index += 1) {
    tracker.observe(parseLine(`<174>Jun 15 10:28:00 erp${index} oe: ${SIX_ZERO}`));
    t.ok(tracker.size <= 3);
  }
  t.equal(tracker.size, 3);
});

t.test('numbered notifyChannel records from [02] on continue the one before', async (t) => {
  const chain = newChain();
  const parts = ['[01]: Exception: No route to host', '[02]: Please check your mail server'];
  const records = parts.map((text) => parseLine('<174>Jun 15 10:29:00 erp01 openerp-server: ' +
    `[2011-06-15 10:29:00,001][prod_fr] ERROR:netsvc:${text}`, { chain }));
  t.strictSame(records.map((record) => [record.format, record.fields.text,
    record.fields.continuation]), [
    ['openerp', parts[0], undefined],
    ['openerp', parts[1], true],
  ]);
});

t.test('numbered --syslog records continue, header-less lines after them do not', async (t) => {
  const chain = newChain();
  const line = (text: string): string =>
    `<11>Dec  3 19:01:23 vm OpenERP Server 6.0.3:prod_fr:ERROR:netsvc:${text}`;
  t.equal(parseLine(line('[01]: Exception'), { chain }).fields.continuation, undefined);
  t.equal(parseLine(line('[02]: Please check'), { chain }).fields.continuation, true);
  const plain = parseLine('<13>Dec  3 19:01:24 vm Traceback (most recent call last):', { chain });
  t.equal(plain.fields.continuation, undefined);
});

t.test('a [02] record without an OpenERP record before it is not a continuation', async (t) => {
  const record = parseLine('<174>Jun 15 10:29:00 erp01 openerp-server: [2011-06-15 ' +
    '10:29:00,001][prod_fr] ERROR:netsvc:[02]: Please check your mail server');
  t.equal(record.format, 'openerp');
  t.equal(record.fields.continuation, undefined);
});
