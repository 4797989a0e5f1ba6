/**
 * Connection caps, idle timeout and per-sender rate limits against real senders; 127.0.0.2
 * is a second sender on the same machine.
 */
import { once } from 'node:events';
import { join } from 'node:path';
import { connect, type Socket } from 'node:net';
import t from 'tap';
import {
  fetchJson, sendTcp, sendUdp, sqliteRows, startCollector, waitFor, type Collector,
} from '../helpers/collector.js';

async function stats(collector: Collector): Promise<Record<string, unknown>> {
  return (await fetchJson(collector.httpPort, '/stats.json')).body;
}

function open(port: number, from = '127.0.0.1'): Socket {
  const socket = connect({ port, host: '127.0.0.1', localAddress: from });
  socket.on('error', () => socket.destroy());
  return socket;
}

function line(host: string, text: string): string {
  return `<13>Dec  3 19:00:00 ${host} app: ${text}\n`;
}

function rowsBySource(collector: Collector): Map<string, unknown[]> {
  const bySource = new Map<string, unknown[]>();
  for (const row of sqliteRows(join(collector.dir, 'logs.sqlite'))) {
    const source = String(row.source_ip);
    bySource.set(source, [...(bySource.get(source) ?? []), row.msg]);
  }
  return bySource;
}

t.test('connections over the per-sender and total caps are closed at once', async (t) => {
  const collector = await startCollector({ args: ['--max-connections', '3',
    '--max-connections-per-sender', '2'] });
  t.teardown(collector.cleanup);
  const connected = (count: number) => async () =>
    (await stats(collector)).tcp_connections === count;

  const first = open(collector.tcpPort);
  await waitFor(connected(1));
  const second = open(collector.tcpPort);
  await waitFor(connected(2));
  const third = open(collector.tcpPort);
  await once(third, 'close');
  const other = open(collector.tcpPort, '127.0.0.2');
  await waitFor(connected(3));
  const fourth = open(collector.tcpPort, '127.0.0.2');
  await once(fourth, 'close');
  t.equal((await stats(collector)).connections_refused_limit, 2);

  for (const [index, socket] of [first, second, other].entries()) {
    socket.end(line('web1', `kept ${index}`));
  }
  await waitFor(async () => (await stats(collector)).stored_sql === 3);
  t.equal(await collector.stop(), 0);
  // Sorted: two connections' lines, parsed on different threads, may be stored either way.
  const bySource = new Map([...rowsBySource(collector)].map(([source, rows]) =>
    [source, rows.map(String).sort()]));
  t.strictSame(bySource, new Map([['127.0.0.1', ['kept 0', 'kept 1']],
    ['127.0.0.2', ['kept 2']]]));
});

t.test('a silent connection is closed after --idle-timeout, its last line kept', async (t) => {
  const collector = await startCollector({ args: ['--idle-timeout', '1'] });
  t.teardown(collector.cleanup);

  const silent = open(collector.tcpPort);
  silent.write('<13>Dec  3 19:00:00 web1 app: complete\n<13>Dec  3 19:00:01 web1 app: no LF');
  await once(silent, 'close');
  await waitFor(async () => (await stats(collector)).stored_sql === 2);
  t.match(await stats(collector), { connections_closed_idle: 1, tcp_connections: 0,
    dropped_partial_frame: 0 });
  t.equal(await collector.stop(), 0);
  t.strictSame(rowsBySource(collector).get('127.0.0.1'), ['complete', 'no LF']);
});

/** Sends `total` messages at about `perSecond`, in ten steps a second. */
async function steady(send: (batch: string[]) => Promise<void>, options: { total: number;
  perSecond: number; host: string }): Promise<void> {
  const perStep = options.perSecond / 10;
  for (let sent = 0; sent < options.total; sent += perStep) {
    const batch = Array.from({ length: perStep }, (_, index) =>
      line(options.host, `steady ${sent + index}`));
    await Promise.all([send(batch), new Promise((resolve) => setTimeout(resolve, 100))]);
  }
}

t.test('a TCP flood is slowed by --rate-limit and a steady sender loses nothing',
  async (t) => {
    const collector = await startCollector({ args: ['--rate-limit', '2000',
      '--rate-burst', '4000'] });
    t.teardown(collector.cleanup);

    const flood = Array.from({ length: 12_000 }, (_, index) => line('flood', `flood ${index}`));
    const steadySocket = open(collector.tcpPort, '127.0.0.2');
    await Promise.all([
      sendTcp(collector.tcpPort, [flood.join('')]),
      steady((batch) => new Promise((resolve) => steadySocket.write(batch.join(''),
        () => resolve())), { total: 2000, perSecond: 1000, host: 'steady' }),
    ]);
    steadySocket.end();
    await waitFor(async () => (await stats(collector)).stored_sql === 14_000, 30_000);

    const counters = await stats(collector);
    t.ok(Number(counters.rate_limit_pauses) > 0,
      `the flood was paused (${counters.rate_limit_pauses} times)`);
    t.match(counters, { dropped_rate_limit: 0, dropped_queue_full: 0, received_tcp: 14_000 });
    t.equal(await collector.stop(), 0);
    const bySource = rowsBySource(collector);
    t.equal(bySource.get('127.0.0.2')?.length, 2000, 'every steady message stored');
    t.equal(bySource.get('127.0.0.1')?.length, 12_000, 'every flood message stored, later');
    t.strictSame(bySource.get('127.0.0.2')?.slice(0, 2), ['steady 0', 'steady 1']);
  });

/**
 * Bursts of 1,000 datagrams at full speed (far above the limit), each sent once the collector
 * has read everything sent before: the socket buffer never overflows, so every datagram is
 * read and sent minus stored is exactly what the rate limit dropped, however busy the machine.
 */
async function floodUdp(collector: Collector, datagrams: string[],
  sent: { count: number }): Promise<void> {
  for (let start = 0; start < datagrams.length; start += 1000) {
    const burst = datagrams.slice(start, start + 1000);
    await sendUdp(collector.udpPort, burst);
    sent.count += burst.length;
    await waitFor(async () => Number((await stats(collector)).received_udp) >= sent.count,
      30_000);
  }
}

t.test('a UDP flood over --rate-limit is dropped and counted exactly', async (t) => {
  const collector = await startCollector({ args: ['--rate-limit', '2000',
    '--rate-burst', '4000'] });
  t.teardown(collector.cleanup);

  const flood = Array.from({ length: 20_000 }, (_, index) => line('flood', `flood ${index}`));
  const sent = { count: 0 };
  await Promise.all([
    floodUdp(collector, flood, sent),
    steady(async (batch) => {
      await sendUdp(collector.udpPort, batch, { from: '127.0.0.2' });
      sent.count += batch.length;
    }, { total: 2000, perSecond: 1000, host: 'steady' }),
  ]);
  await waitFor(async () => (await stats(collector)).received_udp === 22_000, 30_000);
  await waitFor(async () => {
    const counters = await stats(collector);
    return counters.stored_sql === 22_000 - Number(counters.dropped_rate_limit);
  });

  const counters = await stats(collector);
  t.equal(counters.dropped_udp_buffer, 0, 'the kernel dropped nothing');
  t.ok(Number(counters.dropped_rate_limit) > 0,
    `the flood's excess was dropped (${counters.dropped_rate_limit})`);
  t.equal(await collector.stop(), 0);
  const bySource = rowsBySource(collector);
  t.equal(bySource.get('127.0.0.2')?.length, 2000, 'every steady datagram stored');
  t.equal(bySource.get('127.0.0.1')?.length, 20_000 - Number(counters.dropped_rate_limit),
    'flood: sent minus stored is dropped_rate_limit');
});
