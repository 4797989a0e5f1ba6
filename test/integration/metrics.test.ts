/**
 * `/metrics` of a running collector against what was really sent over UDP and TCP, dropped
 * and stored; and `/stats.json` telling the same numbers.
 */
import { readFileSync } from 'node:fs';
import t from 'tap';
import {
  fetchJson, sendTcp, sendUdp, startCollector, waitFor,
} from '../helpers/collector.js';
import { scrapeMetrics, seriesKey } from '../helpers/prometheus.js';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url),
  'utf8')) as { version: string }).version;

const UDP_DATAGRAMS = [
  Buffer.alloc(0),
  Buffer.from('<14>Dec  3 19:11:00 host1 app: first from host1'),
  Buffer.from('<14>1 2026-12-03T19:11:01Z host1 app 42 ID7 - rfc 5424 from host1'),
  Buffer.from('<14>Dec  3 19:11:02 host2 app: caf\xe9 in windows-1252', 'latin1'),
  Buffer.from(`<14>Dec  3 19:11:03 host2 app: ${'y'.repeat(2000)}`),
];
const TCP_CHUNKS = [
  '<14>Dec  3 19:11:04 host2 app: tcp one\n<14>Dec  3 19:11:05 host2 app: tcp two\n',
  '100 <14>Dec  3 19:11:06 host2 app: cut short',
];

function byteCount(chunks: Array<string | Buffer>): number {
  return chunks.reduce((sum, chunk) => sum + Buffer.byteLength(chunk), 0);
}

t.test('metrics count what was sent, dropped and stored, as stats.json does', async (t) => {
  const collector = await startCollector({ args: ['--max-message-size', '1024',
    '--watch-host', 'HOST1', '--watch-host', 'silent.example'] });
  t.teardown(collector.cleanup);
  const sentAfter = Date.now();

  await sendUdp(collector.udpPort, UDP_DATAGRAMS);
  await sendTcp(collector.tcpPort, TCP_CHUNKS);
  await waitFor(async () => {
    const stats = (await fetchJson(collector.httpPort, '/stats.json')).body;
    return stats.stored_sql === 6 && stats.stored_archive === 6 &&
      stats.dropped_partial_frame === 1 && stats.tcp_connections === 0;
  });
  const sentBefore = Date.now();

  const scrape = await scrapeMetrics(collector.httpPort);
  const stats = (await fetchJson(collector.httpPort, '/stats.json')).body;
  const value = (name: string, labels?: Record<string, string>): number | undefined =>
    scrape.samples.get(seriesKey(`logharbor_${name}`, labels));

  t.equal(scrape.status, 200);
  t.equal(scrape.contentType, 'text/plain; version=0.0.4; charset=utf-8');

  const udp = { transport: 'udp', listener: 'udp://127.0.0.1:0' };
  const tcp = { transport: 'tcp', listener: 'tcp://127.0.0.1:0' };
  t.equal(value('messages_received_total', udp), 4, 'the empty datagram is no message');
  t.equal(value('messages_received_total', tcp), 2, 'the partial frame is no message');
  t.equal(value('received_bytes_total', udp), byteCount(UDP_DATAGRAMS));
  t.equal(value('received_bytes_total', tcp), byteCount(TCP_CHUNKS));

  t.strictSame(['rfc5424', 'rfc3164', 'cisco', 'snare', 'openerp', 'unparsed']
    .map((format) => value('messages_parsed_total', { format })), [1, 5, 0, 0, 0, 0]);
  t.equal(value('messages_stored_total', { sink: 'sql' }), 6);
  t.equal(value('messages_stored_total', { sink: 'archive' }), 6);
  t.strictSame(['empty', 'partial_frame', 'truncated', 'queue_full', 'spool_full', 'disk_full',
    'acl', 'rate_limit', 'udp_buffer'].map((reason) =>
    value('messages_dropped_total', { reason })), [1, 1, 1, 0, 0, 0, 0, 0, 0]);
  t.equal(value('parse_flags_total', { flag: 'encoding' }), 1);
  t.equal(value('parse_flags_total', { flag: 'truncated' }), 1);

  t.equal(value('sink_retries_total', { sink: 'sql' }), 0);
  t.equal(value('sink_retries_total', { sink: 'archive' }), 0);
  t.equal(value('dead_letters_total'), 0);
  t.equal(value('sql_connected'), 1);
  t.equal(value('ready'), 1);
  t.equal(value('queue_depth'), 0);
  t.equal(value('spool_bytes'), 0);
  t.equal(value('spool_records'), 0);
  t.equal(value('spool_oldest_age_seconds'), 0);
  t.equal(value('tcp_connections', { listener: tcp.listener }), 0);
  t.equal(value('udp_socket_drops_total', { listener: udp.listener }), 0);
  t.equal(value('build_info', { version: VERSION, node_version: process.version,
    instance_name: 'test' }), 1);

  const host1 = value('watched_host_last_message_timestamp_seconds', { host: 'HOST1' }) ?? 0;
  t.ok(host1 * 1000 >= sentAfter && host1 * 1000 <= sentBefore,
    'host1 (watched as HOST1) was last heard while the test sent');
  t.equal(value('watched_host_last_message_timestamp_seconds', { host: 'silent.example' }), 0);
  const last = value('last_message_timestamp_seconds') ?? 0;
  t.ok(last >= host1 && last * 1000 <= sentBefore, 'the last message came after host1\'s');

  for (const sink of ['sql', 'archive']) {
    const count = value('sink_batch_duration_seconds_count', { sink }) ?? 0;
    t.ok(count >= 1, `${sink} batches are timed`);
    t.equal(value('sink_batch_duration_seconds_bucket', { sink, le: '+Inf' }), count);
  }
  t.equal(scrape.types.get('logharbor_messages_received_total'), 'counter');
  t.equal(scrape.types.get('logharbor_kernel_udp_receive_buffer_errors_total'), 'counter');
  t.equal(scrape.types.get('logharbor_queue_depth'), 'gauge');
  t.equal(scrape.types.get('logharbor_sink_batch_duration_seconds'), 'histogram');
  t.equal(value('kernel_udp_receive_buffer_errors_total'), stats.udp_rcvbuf_errors);
  t.ok(scrape.samples.has('logharbor_process_cpu_seconds_total'), 'process metrics are there');

  t.match(stats, {
    received: 6, received_udp: 4, received_tcp: 2, received_bytes: byteCount(UDP_DATAGRAMS) +
      byteCount(TCP_CHUNKS), encoding_fallbacks: 1, truncated: 1, dropped_total: 3,
    sql_retries: 0, archive_retries: 0, spool_oldest_age_seconds: 0,
  });
  t.type(stats.last_message_age_seconds_host1, 'number');
  t.type(stats.last_message_age_seconds_silent_example, 'number');
  t.ok((stats.last_message_age_seconds_host1 as number) <=
    (stats.last_message_age_seconds_silent_example as number), 'host1 spoke, silent did not');
  t.equal(await collector.stop(), 0);
});

t.test('without --watch-host no host series and no host keys appear', async (t) => {
  const collector = await startCollector({ args: ['--db', 'none'] });
  t.teardown(collector.cleanup);

  const scrape = await scrapeMetrics(collector.httpPort);
  const watched = [...scrape.samples.keys()].filter((key) => key.includes('watched_host'));
  t.strictSame(watched, []);
  const stats = (await fetchJson(collector.httpPort, '/stats.json')).body;
  t.strictSame(Object.keys(stats).filter((key) => key.startsWith('last_message_age_seconds')),
    ['last_message_age_seconds']);
  t.equal(scrape.samples.get('logharbor_sql_connected'), 0, 'no SQL sink: not connected');
});

t.test('an unknown path lists /metrics among the endpoints', async (t) => {
  const collector = await startCollector({ args: ['--db', 'none'] });
  t.teardown(collector.cleanup);

  t.same(await fetchJson(collector.httpPort, '/nope'), { status: 404, body: {
    error: 'not found', paths: ['/healthz', '/readyz', '/stats.json', '/metrics'] } });
});
