/**
 * `--allow` against real senders: 127.0.0.2 is a second loopback address, so one machine
 * has an allowed and a refused sender. Refused messages never reach the table, and each
 * refused datagram and connection is counted `acl`.
 */
import { join } from 'node:path';
import t from 'tap';
import {
  fetchJson, sendTcp, sendUdp, sqliteRows, startCollector, waitFor,
} from '../helpers/collector.js';

const REFUSED = { from: '127.0.0.2' };

t.test('a sender outside --allow never reaches the table and is counted acl', async (t) => {
  const collector = await startCollector({ args: ['--allow', '127.0.0.1/32',
    '--allow', '10.0.0.0/8'] });
  t.teardown(collector.cleanup);

  const refusedLines = Array.from({ length: 30 }, (_, index) =>
    `<13>Dec  3 19:00:00 intruder app: refused ${index}`);
  await sendUdp(collector.udpPort, refusedLines, REFUSED);
  // The collector closes the refused connection at once: the client may see a reset.
  await sendTcp(collector.tcpPort, ['<13>Dec  3 19:00:00 intruder app: refused tcp\n'],
    REFUSED).catch(() => undefined);
  await sendUdp(collector.udpPort, ['<13>Dec  3 19:00:01 web1 app: allowed udp']);
  await sendTcp(collector.tcpPort, ['<13>Dec  3 19:00:02 web1 app: allowed tcp\n']);

  await waitFor(async () => {
    const stats = (await fetchJson(collector.httpPort, '/stats.json')).body;
    return stats.stored_sql === 2 && stats.dropped_acl === 31;
  });
  const stats = (await fetchJson(collector.httpPort, '/stats.json')).body;
  t.match(stats, { received: 2, received_udp: 1, received_tcp: 1, dropped_acl: 31 });
  t.equal(await collector.stop(), 0);

  const rows = sqliteRows(join(collector.dir, 'logs.sqlite'));
  t.strictSame(rows.map((row) => [row.source_ip, row.msg]),
    [['127.0.0.1', 'allowed udp'], ['127.0.0.1', 'allowed tcp']]);
  const refusals = collector.events.filter((event) =>
    event.msg === 'sender not in --allow, refused');
  t.equal(refusals.length, 10, 'refusals are logged at most 10 times a minute');
  t.match(refusals[0], { source_ip: '127.0.0.2', listener: 'udp://127.0.0.1:0' });
});

t.test('without --allow every sender is stored', async (t) => {
  const collector = await startCollector();
  t.teardown(collector.cleanup);

  await sendUdp(collector.udpPort, ['<13>Dec  3 19:00:00 other app: second address'], REFUSED);
  await waitFor(async () => (await fetchJson(collector.httpPort, '/stats.json'))
    .body.stored_sql === 1);
  t.equal(await collector.stop(), 0);
  t.strictSame(sqliteRows(join(collector.dir, 'logs.sqlite')).map((row) => row.source_ip),
    ['127.0.0.2']);
});
