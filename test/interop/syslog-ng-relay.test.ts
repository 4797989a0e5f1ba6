/**
 * Scenario 3: syslog-ng as a relay. `logger` writes to syslog-ng's unix-dgram source (a
 * socket in the test's directory) and to two UDP sources, one reading RFC 3164 and one
 * with flags(syslog-protocol); syslog-ng forwards everything with network() over UDP and
 * TCP (RFC 3164 lines) and syslog() over TCP (RFC 5424, octet counting), each destination
 * to a collector of its own.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { tempDir, removeDir } from '../helpers/collector.js';
import {
  freePort, interopRequired, missingSenders, RELAY_UNICODE, sendRelayMessages,
  startSyslogNg, SYSLOG_NG_OPTIONS,
} from './daemons.js';
import {
  byText, expectRow, finalRows, inWindow, openWindow, startCollectors, waitForStored,
  type RowView,
} from './rows.js';

const skip = missingSenders(['logger', 'syslog-ng']);
if (skip !== false && interopRequired) t.fail(`LH_TEST_INTEROP=1 but ${skip}`);

const HOST = hostname().split('.')[0];
const UNICODE = RELAY_UNICODE;
const DESTINATIONS = ['network-udp', 'network-tcp', 'syslog-tcp'] as const;
type Destination = typeof DESTINATIONS[number];

/**
 * network() writes RFC 3164 and keeps MSGID and SD out; syslog() writes RFC 5424 and keeps
 * both, and numbers the messages of local origin (the unix-dgram one) in
 * `[meta sequenceId="N"]`. syslog-ng, unlike rsyslog, forwards a TAB as it is.
 */
function expected(destination: Destination): RowView[] {
  const ietf = destination === 'syslog-tcp';
  const format = ietf ? 'rfc5424' : 'rfc3164';
  return [
    expectRow({ host: HOST, program: 'sshd', pid: '4321', facility: 'auth', severity: 'info',
      msg: 'Accepted publickey for alice from 192.0.2.7 port 50522 ssh2', format,
      sd: ietf ? { meta: { sequenceId: '1' } } : null }),
    expectRow({ host: HOST, program: 'backup', pid: '77', facility: 'local3',
      severity: 'warning', msg: UNICODE, format, msgid: ietf ? 'NIGHTLY' : null,
      sd: ietf ? { 'zoo@32473': { tiger: 'hungry' } } : null }),
    expectRow({ host: HOST, program: 'app', facility: 'local0', severity: 'err', format,
      msg: 'tab\there' }),
  ];
}

t.test('syslog-ng relays logger messages with network() over UDP and TCP and syslog() over ' +
  'TCP, exactly', { skip }, async (t) => {
  const collectors = await startCollectors([...DESTINATIONS], t.teardown);
  const dir = tempDir('logharbor-syslog-ng-');
  t.teardown(() => removeDir(dir));
  const socket = join(dir, 'log.sock');
  const [bsdIn, ietfIn] = [await freePort('udp'), await freePort('udp')];

  const syslogNg = await startSyslogNg({ dir, ready: [{ socket }, { udp: bsdIn }, { udp: ietfIn }],
    config: SYSLOG_NG_OPTIONS +
    `source s_in { unix-dgram("${socket}");\n` +
    `  network(ip("127.0.0.1") port(${bsdIn}) transport("udp"));\n` +
    `  network(ip("127.0.0.1") port(${ietfIn}) transport("udp") flags(syslog-protocol)); };\n` +
    'destination d_udp { network("127.0.0.1" ' +
    `port(${collectors['network-udp'].udpPort}) transport("udp")); };\n` +
    'destination d_tcp { network("127.0.0.1" ' +
    `port(${collectors['network-tcp'].tcpPort}) transport("tcp")); };\n` +
    'destination d_ietf { syslog("127.0.0.1" ' +
    `port(${collectors['syslog-tcp'].tcpPort}) transport("tcp")); };\n` +
    'log { source(s_in); destination(d_udp); destination(d_tcp); destination(d_ietf); };\n' });
  t.teardown(syslogNg.stop);

  const window = openWindow();
  await sendRelayMessages(socket, { rfc5424: ietfIn, rfc3164: bsdIn });
  await Promise.all(DESTINATIONS.map((name) => waitForStored(collectors[name], 3)));
  const sent = window.close();
  await syslogNg.stop();

  for (const destination of DESTINATIONS) {
    const rows = (await finalRows(collectors[destination]))
      .map((row) => inWindow(row, sent)).sort(byText);
    t.same(rows, expected(destination), destination);
  }
});
