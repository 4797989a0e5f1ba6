/**
 * Scenario 2: rsyslog as a relay. `logger` writes to rsyslog's imuxsock (a socket in the
 * test's directory, not /dev/log) and imudp; rsyslog forwards every message with each of
 * its three reserved forwarding templates over UDP, TCP LF and TCP octet-counted framing,
 * nine actions, each to a collector of its own so every row is known to come from one path.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { tempDir, removeDir } from '../helpers/collector.js';
import {
  freePort, interopRequired, missingSenders, RELAY_UNICODE, sendRelayMessages,
  startRsyslog,
} from './daemons.js';
import {
  byText, expectRow, finalRows, inWindow, openWindow, startCollectors, waitForStored, type RowView,
} from './rows.js';

const skip = missingSenders(['logger', 'rsyslog']);
if (skip !== false && interopRequired) t.fail(`LH_TEST_INTEROP=1 but ${skip}`);

const HOST = hostname().split('.')[0];
const UNICODE = RELAY_UNICODE;
const TEMPLATES = ['RSYSLOG_TraditionalForwardFormat', 'RSYSLOG_ForwardFormat',
  'RSYSLOG_SyslogProtocol23Format'] as const;
const FRAMINGS = ['udp', 'tcp-lf', 'tcp-octet'] as const;
type Template = typeof TEMPLATES[number];
type Framing = typeof FRAMINGS[number];

const PATHS = TEMPLATES.flatMap((template) => FRAMINGS.map((framing) => `${template} ${framing}`));

function forwardAction(template: string, framing: Framing, port: number): string {
  const transport = framing === 'udp' ? 'protocol="udp"'
    : `protocol="tcp" TCP_Framing="${framing === 'tcp-octet' ? 'octet-counted' : 'traditional'}"`;
  return `  action(type="omfwd" target="127.0.0.1" port="${port}" ${transport} ` +
    `template="${template}")\n`;
}

/**
 * What each template makes of the three messages (see FORMATS.md §3, §4): the traditional
 * and forward formats drop MSGID and SD; SyslogProtocol23 keeps them, and keeps the space
 * rsyslog holds at the start of a message that came in as RFC 3164; every relay hop turns
 * the TAB into `#011`. For a message that came in as RFC 5424 the two RFC 3164 templates
 * write the TAG as `backup[77]` with no colon (checked on the wire), so DESIGN.md §3 keeps
 * the text after the header whole, program NULL: forward such input with SyslogProtocol23.
 */
function expected(template: Template): RowView[] {
  const protocol23 = template === 'RSYSLOG_SyslogProtocol23Format';
  const format = protocol23 ? 'rfc5424' : 'rfc3164';
  const lead = protocol23 ? ' ' : '';
  return [
    expectRow({ host: HOST, program: 'sshd', pid: '4321', facility: 'auth', severity: 'info',
      msg: `${lead}Accepted publickey for alice from 192.0.2.7 port 50522 ssh2`, format }),
    protocol23
      ? expectRow({ host: HOST, program: 'backup', pid: '77', msgid: 'NIGHTLY',
        facility: 'local3', severity: 'warning', msg: UNICODE, format,
        sd: { 'zoo@32473': { tiger: 'hungry' } } })
      : expectRow({ host: HOST, facility: 'local3', severity: 'warning',
        msg: `backup[77] ${UNICODE}`, format }),
    expectRow({ host: HOST, program: 'app', facility: 'local0', severity: 'err', format,
      msg: `${lead}tab#011here` }),
  ];
}

t.test('rsyslog relays logger messages with its three templates over UDP, TCP LF and octet ' +
  'counting, exactly', { skip }, async (t) => {
  const collectors = await startCollectors(PATHS, t.teardown);
  const dir = tempDir('logharbor-rsyslog-');
  t.teardown(() => removeDir(dir));
  const socket = join(dir, 'log.sock');
  const udpIn = await freePort('udp');

  const actions = TEMPLATES.flatMap((template) => FRAMINGS.map((framing) => {
    const collector = collectors[`${template} ${framing}`];
    return forwardAction(template, framing,
      framing === 'udp' ? collector.udpPort : collector.tcpPort);
  }));
  const rsyslog = await startRsyslog({ dir, ready: [{ socket }, { udp: udpIn }], config:
    `global(workDirectory="${dir}/work")\n` +
    'module(load="imuxsock" SysSock.Use="off")\nmodule(load="imudp")\n' +
    `input(type="imuxsock" Socket="${socket}" ruleset="relay")\n` +
    `input(type="imudp" address="127.0.0.1" port="${udpIn}" ruleset="relay")\n` +
    `ruleset(name="relay") {\n${actions.join('')}}\n` });
  t.teardown(rsyslog.stop);

  const window = openWindow();
  await sendRelayMessages(socket, { rfc5424: udpIn, rfc3164: udpIn });
  await Promise.all(PATHS.map((path) => waitForStored(collectors[path], 3)));
  const sent = window.close();
  await rsyslog.stop();

  for (const template of TEMPLATES) {
    for (const framing of FRAMINGS) {
      const rows = (await finalRows(collectors[`${template} ${framing}`]))
        .map((row) => inWindow(row, sent))
        .sort(byText);
      t.same(rows, expected(template), `${template} over ${framing}`);
    }
  }
});
