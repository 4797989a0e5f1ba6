/**
 * The TLS listener (RFC 5425) against real TLS clients, with certificates made by openssl:
 * client authentication modes, permitted peer names, octet-counted frames cut across TLS
 * records, and certificates reloaded on SIGHUP.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type ConnectionOptions } from 'node:tls';
import t, { type Test } from 'tap';
import { makeCa, makeCertificate, type CertificateFiles } from '../helpers/certificates.js';
import {
  fetchJson, removeDir, runCli, sqliteRows, startCollector, tempDir, waitFor, type Collector,
} from '../helpers/collector.js';

const dir = tempDir('logharbor-tls-');
t.teardown(() => removeDir(dir));
const ca = makeCa(dir, 'ca');
const otherCa = makeCa(dir, 'other-ca');
const server = makeCertificate(dir, { ca, name: 'server', cn: 'collector.test',
  san: ['DNS:collector.test', 'IP:127.0.0.1'] });
const web1 = makeCertificate(dir, { ca, name: 'web1', cn: 'web1.example.org' });
const intruder = makeCertificate(dir, { ca, name: 'intruder', cn: 'intruder.example.org' });
const forged = makeCertificate(dir, { ca: otherCa, name: 'forged', cn: 'web1.example.org' });

function octetCounted(message: string): string {
  return `${Buffer.byteLength(message)} ${message}`;
}

interface TlsOutcome {
  /** The client's error code, if the connection failed. */
  error: string | null;
  /** The server certificate's subject CN. */
  serverName: string | null;
}

/** Connects, writes each chunk as a TLS record of its own, ends, and waits for the close. */
function sendTls(port: number, chunks: Array<string | Buffer>, options: ConnectionOptions & {
  client?: CertificateFiles } = {}): Promise<TlsOutcome> {
  const { client, ...tlsOptions } = options;
  return new Promise((resolve) => {
    const outcome: TlsOutcome = { error: null, serverName: null };
    const socket = connect({ port, host: '127.0.0.1', ca: readFileSync(ca.cert),
      servername: 'collector.test', ...tlsOptions,
      ...(client === undefined ? {} : { cert: readFileSync(client.cert),
        key: readFileSync(client.key) }) }, async () => {
      outcome.serverName = String(socket.getPeerCertificate().subject?.CN ?? null);
      socket.setNoDelay(true);
      for (const chunk of chunks) {
        await new Promise((written) => socket.write(chunk, written));
      }
      socket.end();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      outcome.error = error.code ?? error.message;
    });
    socket.on('close', () => resolve(outcome));
  });
}

async function tlsCollector(t: Test, args: string[]): Promise<Collector> {
  const collector = await startCollector({ args: ['--tls', '127.0.0.1:0',
    '--tls-cert', server.cert, '--tls-key', server.key, ...args] });
  t.teardown(collector.cleanup);
  return collector;
}

async function stats(collector: Collector): Promise<Record<string, unknown>> {
  return (await fetchJson(collector.httpPort, '/stats.json')).body;
}

function messages(collector: Collector): unknown[] {
  return sqliteRows(join(collector.dir, 'logs.sqlite')).map((row) => row.msg);
}

t.test('octet-counted frames cut across TLS records arrive intact', async (t) => {
  const collector = await tlsCollector(t, []);
  const stream = Buffer.from([
    '<13>1 2026-12-03T10:00:00Z web1 app - - - first',
    '<13>1 2026-12-03T10:00:01Z web1 app - - - second line\nwith an LF inside',
    '<13>1 2026-12-03T10:00:02Z web1 app - - - caf\u00e9 \u20ac third',
  ].map(octetCounted).join(''));
  // Seven-byte records: frame boundaries, length prefixes and the multi-byte characters all
  // fall inside or across records.
  const records: Buffer[] = [];
  for (let start = 0; start < stream.length; start += 7) {
    records.push(stream.subarray(start, start + 7));
  }

  const outcome = await sendTls(collector.tlsPort, records);
  t.strictSame(outcome, { error: null, serverName: 'collector.test' });
  await waitFor(async () => (await stats(collector)).stored_sql === 3);
  t.match(await stats(collector), { received_tls: 3, received_tcp: 0, parsed_rfc5424: 3,
    dropped_partial_frame: 0, tls_handshake_failures: 0 });
  t.equal(await collector.stop(), 0);

  const rows = sqliteRows(join(collector.dir, 'logs.sqlite'));
  t.strictSame(rows.map((row) => [row.host, row.msg, row.source_ip]), [
    ['web1', 'first', '127.0.0.1'],
    ['web1', 'second line\nwith an LF inside', '127.0.0.1'],
    ['web1', 'caf\u00e9 \u20ac third', '127.0.0.1'],
  ]);
});

t.test('required client auth accepts the CA\'s clients and refuses the others', async (t) => {
  // One connection per sender: each later one needs the slot of the one before back.
  const collector = await tlsCollector(t, ['--tls-ca', ca.cert,
    '--tls-client-auth', 'required', '--max-connections-per-sender', '1']);
  const line = (text: string): string =>
    octetCounted(`<13>1 2026-12-03T10:00:00Z web1 app - - - ${text}`);

  const slotFree = async (): Promise<void> =>
    waitFor(async () => (await stats(collector)).connections_open === 0);

  t.equal((await sendTls(collector.tlsPort, [line('with a certificate')],
    { client: web1 })).error, null);
  await slotFree();
  // Under TLS 1.3 the client may finish its side of the handshake and close before the
  // server's alert arrives: the refusal is asserted on the server's side.
  await sendTls(collector.tlsPort, [line('without a certificate')]);
  await slotFree();
  await sendTls(collector.tlsPort, [line('from another CA')], { client: forged });
  await waitFor(async () => (await stats(collector)).tls_handshake_failures === 2);
  await slotFree();
  t.equal((await sendTls(collector.tlsPort, [line('after the refusals')],
    { client: web1 })).error, null);
  await waitFor(async () => (await stats(collector)).stored_sql === 2);
  t.match(await stats(collector), { received_tls: 2, tls_connections: 0,
    connections_refused_limit: 0 });
  t.equal(await collector.stop(), 0);
  t.strictSame(messages(collector), ['with a certificate', 'after the refusals']);
});

t.test('optional client auth accepts a client without a certificate but not a forged one',
  async (t) => {
    const collector = await tlsCollector(t, ['--tls-ca', ca.cert,
      '--tls-client-auth', 'optional']);
    const line = (text: string): string =>
      octetCounted(`<13>1 2026-12-03T10:00:00Z web1 app - - - ${text}`);

    await sendTls(collector.tlsPort, [line('anonymous')]);
    await sendTls(collector.tlsPort, [line('trusted')], { client: web1 });
    await sendTls(collector.tlsPort, [line('forged')], { client: forged });
    await waitFor(async () => (await stats(collector)).tls_peer_refused === 1);
    await waitFor(async () => (await stats(collector)).stored_sql === 2);
    t.equal(await collector.stop(), 0);
    t.strictSame(messages(collector), ['anonymous', 'trusted']);
  });

t.test('--tls-peer admits the named certificates only', async (t) => {
  const collector = await tlsCollector(t, ['--tls-ca', ca.cert,
    '--tls-client-auth', 'required', '--tls-peer', '*.example.org',
    '--tls-peer', 'db1.example.net']);
  const wildcard = await tlsCollector(t, ['--tls-ca', ca.cert,
    '--tls-client-auth', 'required', '--tls-peer', 'web1.example.org']);
  const line = (text: string): string =>
    octetCounted(`<13>1 2026-12-03T10:00:00Z web1 app - - - ${text}`);

  await sendTls(collector.tlsPort, [line('web1 by wildcard')], { client: web1 });
  await sendTls(collector.tlsPort, [line('intruder by wildcard')], { client: intruder });
  await sendTls(wildcard.tlsPort, [line('web1 by name')], { client: web1 });
  await sendTls(wildcard.tlsPort, [line('intruder by name')], { client: intruder });
  await waitFor(async () => (await stats(wildcard)).tls_peer_refused === 1);
  await waitFor(async () => (await stats(wildcard)).stored_sql === 1);
  await waitFor(async () => (await stats(collector)).stored_sql === 2);
  t.equal((await stats(collector)).tls_peer_refused, 0, 'the wildcard admits intruder too');
  t.equal(await collector.stop(), 0);
  t.equal(await wildcard.stop(), 0);
  t.strictSame(messages(collector), ['web1 by wildcard', 'intruder by wildcard']);
  t.strictSame(messages(wildcard), ['web1 by name']);
});

t.test('clients limited to TLS 1.1 are refused', async (t) => {
  const collector = await tlsCollector(t, []);
  const outcome = await sendTls(collector.tlsPort, ['5 <13>x'],
    { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' });
  t.not(outcome.error, null, `refused (${outcome.error})`);
  t.equal(outcome.serverName, null, 'no session was established');
  t.equal(await collector.stop(), 0);
  t.strictSame(messages(collector), []);
});

t.test('SIGHUP reloads the certificate for new connections', async (t) => {
  const files = tempDir('logharbor-tls-reload-');
  t.teardown(() => removeDir(files));
  const renewed = makeCertificate(dir, { ca, name: 'renewed', cn: 'renewed.test',
    san: ['DNS:collector.test'] });
  const cert = join(files, 'server.crt');
  const key = join(files, 'server.key');
  copyFileSync(server.cert, cert);
  copyFileSync(server.key, key);
  const collector = await startCollector({ args: ['--tls', '127.0.0.1:0', '--tls-cert', cert,
    '--tls-key', key] });
  t.teardown(collector.cleanup);

  t.equal((await sendTls(collector.tlsPort, [])).serverName, 'collector.test');
  copyFileSync(renewed.cert, cert);
  copyFileSync(renewed.key, key);
  collector.process.kill('SIGHUP');
  await waitFor(() => collector.events.some((event) =>
    event.msg === 'tls certificates reloaded'));
  t.equal((await sendTls(collector.tlsPort, [])).serverName, 'renewed.test');

  copyFileSync(otherCa.cert, key);
  collector.process.kill('SIGHUP');
  await waitFor(() => collector.events.some((event) =>
    event.msg === 'tls reload failed, previous certificates kept'));
  t.equal((await sendTls(collector.tlsPort, [])).serverName, 'renewed.test',
    'an unusable key keeps the running certificate');
  t.equal(await collector.stop(), 0);
});

t.test('a missing certificate file exits 2 naming the option and the file', async (t) => {
  const result = await runCli(['run', '--tls', '127.0.0.1:0', '--tls-cert',
    join(dir, 'missing.crt'), '--tls-key', server.key, '--http', 'none', '--db', 'none',
    '--archive', 'none', '--udp', 'none', '--tcp', 'none']);
  t.equal(result.code, 2);
  t.equal(result.stderr, `logharbor: Cannot read --tls-cert ${join(dir, 'missing.crt')}: ` +
    'ENOENT (check the path and that the collector\'s user may read it)\n');
});
