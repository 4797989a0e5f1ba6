import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { readKernelUdpErrors } from '../../src/receiver/kernel-udp.js';

const SNMP = `Ip: Forwarding DefaultTTL
Ip: 1 64
Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors
Udp: 3049 2 17 3050 11 0 0
UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors
UdpLite: 0 0 99 0 99 0 0
`;
const SNMP6 = `Ip6InReceives                   \t120
Udp6InDatagrams                 \t40
Udp6InErrors                    \t5
Udp6RcvbufErrors                \t3
UdpLite6InErrors                \t99
`;

function procNet(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'logharbor-proc-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

t.test('UDP errors of IPv4 and IPv6 are added up, UDP-Lite left out', async (t) => {
  const dir = procNet({ snmp: SNMP, snmp6: SNMP6 });
  t.teardown(() => rmSync(dir, { recursive: true }));
  t.strictSame(readKernelUdpErrors(dir), { receiveBufferErrors: 14, inErrors: 22 });
});

t.test('without snmp6 (IPv6 disabled) the IPv4 counters stand alone', async (t) => {
  const dir = procNet({ snmp: SNMP });
  t.teardown(() => rmSync(dir, { recursive: true }));
  t.strictSame(readKernelUdpErrors(dir), { receiveBufferErrors: 11, inErrors: 17 });
});

t.test('without /proc both counters read 0', async (t) => {
  const dir = procNet({});
  t.teardown(() => rmSync(dir, { recursive: true }));
  t.strictSame(readKernelUdpErrors(dir), { receiveBufferErrors: 0, inErrors: 0 });
});

t.test('the real /proc/net of this machine gives whole numbers', async (t) => {
  const errors = readKernelUdpErrors();
  t.ok(Number.isSafeInteger(errors.receiveBufferErrors) && errors.receiveBufferErrors >= 0);
  t.ok(Number.isSafeInteger(errors.inErrors) && errors.inErrors >= 0);
});
