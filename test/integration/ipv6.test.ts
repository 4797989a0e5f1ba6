/**
 * Listeners on IPv6 and IPv4 side by side: each address family gets its own socket, and the
 * sender's IPv6 address is stored as the socket saw it.
 */
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import {
  fetchJson, sendUdp, sqliteRows, startCollector, waitFor, type Collector,
} from '../helpers/collector.js';

function portsOf(collector: Collector, transport: string): Map<string, number> {
  return new Map(collector.events.filter((event) => event.msg === 'listening' &&
    event.transport === transport).map((event) => [String(event.address), Number(event.port)]));
}

function sendUdp6(port: number, message: string): Promise<void> {
  const socket = createSocket('udp6');
  return new Promise((resolve, reject) => socket.send(message, port, '::1', (error) => {
    socket.close();
    if (error) reject(error);
    else resolve();
  }));
}

function sendTcp6(port: number, message: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '::1' }, () => socket.end(message));
    socket.on('error', reject);
    socket.on('close', () => resolve());
  });
}

t.test('IPv6 and IPv4 listeners each receive, and ::1 is stored as the source', async (t) => {
  const collector = await startCollector({ args: ['--udp', '127.0.0.1:0', '--udp', '[::1]:0',
    '--tcp', '127.0.0.1:0', '--tcp', '[::1]:0'] });
  t.teardown(collector.cleanup);
  const udp = portsOf(collector, 'udp');
  const tcp = portsOf(collector, 'tcp');
  t.same([...udp.keys()], ['127.0.0.1', '::1']);
  t.same([...tcp.keys()], ['127.0.0.1', '::1']);

  await sendUdp6(udp.get('::1') ?? 0, '<13>1 - v6host app - - - over udp6');
  await sendUdp(udp.get('127.0.0.1') ?? 0, ['<13>1 - v4host app - - - over udp4']);
  await sendTcp6(tcp.get('::1') ?? 0, '<13>1 - v6host app - - - over tcp6\n');
  await waitFor(async () => (await fetchJson(collector.httpPort, '/stats.json'))
    .body.stored_sql === 3);
  t.equal(await collector.stop(), 0);

  const rows = sqliteRows(join(collector.dir, 'logs.sqlite'))
    .map((row) => [row.msg, row.source_ip, row.host]).sort();
  t.same(rows, [['over tcp6', '::1', 'v6host'], ['over udp4', '127.0.0.1', 'v4host'],
    ['over udp6', '::1', 'v6host']]);
});
