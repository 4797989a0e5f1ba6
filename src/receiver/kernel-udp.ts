/**
 * The kernel's UDP error counters for the whole host (its network namespace), read from
 * /proc/net/snmp and /proc/net/snmp6. They see datagrams lost before any socket read them,
 * which no counter of ours can: `RcvbufErrors` counts those dropped because a socket's receive
 * buffer was full, `InErrors` every datagram not delivered (buffer full, bad checksum, ...).
 * Off Linux, or without /proc, both read 0.
 *
 *   /proc/net/snmp   "Udp: InDatagrams NoPorts InErrors ... RcvbufErrors ..."  (a name line,
 *                    then a value line, same prefix)
 *   /proc/net/snmp6  "Udp6InErrors    0"                                       (name, value)
 */
import { readFileSync } from 'node:fs';

export interface KernelUdpErrors {
  receiveBufferErrors: number;
  inErrors: number;
}

export function readKernelUdpErrors(procNet = '/proc/net'): KernelUdpErrors {
  const v4 = readSnmp(`${procNet}/snmp`);
  const v6 = readSnmp6(`${procNet}/snmp6`);
  return {
    receiveBufferErrors: (v4.get('RcvbufErrors') ?? 0) + (v6.get('Udp6RcvbufErrors') ?? 0),
    inErrors: (v4.get('InErrors') ?? 0) + (v6.get('Udp6InErrors') ?? 0),
  };
}

function readSnmp(path: string): Map<string, number> {
  const counters = new Map<string, number>();
  const rows = readLines(path).filter((line) => line.startsWith('Udp: '));
  if (rows.length < 2) return counters;
  const names = rows[0].split(/\s+/).slice(1);
  const values = rows[1].split(/\s+/).slice(1);
  names.forEach((name, index) => counters.set(name, Number(values[index] ?? 0)));
  return counters;
}

function readSnmp6(path: string): Map<string, number> {
  const counters = new Map<string, number>();
  for (const line of readLines(path)) {
    const [name, value] = line.trim().split(/\s+/);
    if (name?.startsWith('Udp6') && value !== undefined) counters.set(name, Number(value));
  }
  return counters;
}

function readLines(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n');
  } catch {
    return []; // not Linux, or /proc not mounted (or no IPv6): the kernel's count is unknown
  }
}
