/**
 * The real collector's archive under external rotation and many hosts: a logrotate-style
 * rename plus SIGHUP while messages stream in (and the real logrotate with the shipped
 * contrib/logrotate.conf) loses and repeats no line; copytruncate leaves no hole; 1,000
 * sending hosts with --archive-max-open 64 keep the open files bounded and every line.
 */
import { execFile } from 'node:child_process';
import {
  copyFileSync, existsSync, readdirSync, readFileSync, renameSync, truncateSync, writeFileSync,
} from 'node:fs';
import { once } from 'node:events';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import {
  fetchJson, sendTcp, startCollector, waitFor, type Collector,
} from '../helpers/collector.js';

const run = promisify(execFile);
const CONTRIB = new URL('../../contrib/logrotate.conf', import.meta.url);
const CHUNKS = 40;
const PER_CHUNK = 1000;

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function chunk(from: number, count: number, host = 'web01'): string {
  let text = '';
  for (let index = from; index < from + count; index += 1) {
    text += `<13>Dec  3 19:20:00 ${host} app: seq ${index}\n`;
  }
  return text;
}

async function stored(collector: Collector): Promise<number> {
  return Number((await fetchJson(collector.httpPort, '/stats.json')).body.stored_archive);
}

/** The sequence numbers in archive files, in file order then line order. */
function sequence(files: string[]): number[] {
  return files.flatMap((file) => readFileSync(file, 'utf8').split('\n').slice(0, -1)
    .map((line) => Number(/ seq (\d+)$/.exec(line)?.[1] ?? -1)));
}

/** Streams CHUNKS × PER_CHUNK lines over one connection and rotates half-way. */
async function rotateUnderLoad(collector: Collector, rotate: () => Promise<void>):
  Promise<void> {
  const socket = connect(collector.tcpPort, '127.0.0.1');
  await once(socket, 'connect');
  let rotation: Promise<void> = Promise.resolve();
  for (let index = 0; index < CHUNKS; index += 1) {
    if (index === CHUNKS / 2) rotation = rotate();
    if (!socket.write(chunk(index * PER_CHUNK, PER_CHUNK))) await once(socket, 'drain');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  socket.end();
  await once(socket, 'close');
  await rotation;
  await waitFor(async () => await stored(collector) === CHUNKS * PER_CHUNK + 1, 20_000);
}

t.test('rename plus SIGHUP while sending loses and repeats no line', async (t) => {
  const collector = await startCollector({ args: ['--db', 'none'] });
  t.teardown(collector.cleanup);
  const file = join(collector.dir, 'archive', 'web01', `${today()}.log`);
  await sendTcp(collector.tcpPort, [chunk(-1, 1)]);
  await waitFor(() => existsSync(file));

  await rotateUnderLoad(collector, async () => {
    renameSync(file, `${file}.1`);
    collector.process.kill('SIGHUP');
  });
  t.equal(await collector.stop(), 0);

  const numbers = sequence([`${file}.1`, file]);
  t.strictSame(numbers, Array.from({ length: CHUNKS * PER_CHUNK + 1 }, (_, index) => index - 1),
    'every line once, in order, across the two files');
  t.ok(sequence([file]).length > 0, 'the new file got the following lines');
  t.ok(collector.events.some((event) => event.msg === 'archive files reopened'));
});

t.test('the real logrotate with contrib/logrotate.conf rotates under load', async (t) => {
  const logrotate = ['/usr/sbin/logrotate', '/usr/bin/logrotate'].find(existsSync);
  if (logrotate === undefined) {
    t.comment('skipped: logrotate is not installed');
    return;
  }
  const collector = await startCollector({ args: ['--db', 'none'] });
  t.teardown(collector.cleanup);
  const archive = join(collector.dir, 'archive');
  const file = join(archive, 'web01', `${today()}.log`);
  await sendTcp(collector.tcpPort, [chunk(-1, 1)]);
  await waitFor(() => existsSync(file));
  const config = readFileSync(CONTRIB, 'utf8')
    .replace('/var/lib/logharbor/archive', archive)
    .replace(/create 0640 .*/, 'create 0640')
    .replace(/systemctl kill .*/, `kill -HUP ${collector.process.pid}`);
  writeFileSync(join(collector.dir, 'logrotate.conf'), config);

  await rotateUnderLoad(collector, async () => {
    await run(logrotate, ['-f', '-s', join(collector.dir, 'logrotate.state'),
      join(collector.dir, 'logrotate.conf')]);
  });
  t.equal(await collector.stop(), 0);

  t.strictSame(readdirSync(join(archive, 'web01')).sort(),
    [`${today()}.log`, `${today()}.log.1`, 'current']);
  t.strictSame(sequence([`${file}.1`, file]),
    Array.from({ length: CHUNKS * PER_CHUNK + 1 }, (_, index) => index - 1));
});

t.test('copytruncate leaves no hole: the next line starts the truncated file', async (t) => {
  const collector = await startCollector({ args: ['--db', 'none'] });
  t.teardown(collector.cleanup);
  const file = join(collector.dir, 'archive', 'web01', `${today()}.log`);
  await sendTcp(collector.tcpPort, [chunk(0, 10)]);
  await waitFor(async () => await stored(collector) === 10);
  await waitFor(() => existsSync(file) && sequence([file]).length === 10);

  copyFileSync(file, `${file}.1`);
  truncateSync(file, 0);
  await sendTcp(collector.tcpPort, [chunk(10, 10)]);
  await waitFor(async () => await stored(collector) === 20);
  t.equal(await collector.stop(), 0);

  const after = readFileSync(file);
  t.equal(after.indexOf(0), -1, 'no NUL bytes from writing at the old offset');
  t.strictSame(sequence([file]), Array.from({ length: 10 }, (_, index) => index + 10));
  t.strictSame(sequence([`${file}.1`]), Array.from({ length: 10 }, (_, index) => index));
});

t.test('1,000 hosts with --archive-max-open 64 keep every line and few open files',
  async (t) => {
    const collector = await startCollector({ args: ['--db', 'none', '--archive-max-open',
      '64'] });
    t.teardown(collector.cleanup);
    const fds = (): number => readdirSync(`/proc/${collector.process.pid}/fd`).length;
    const before = fds();
    let most = 0;
    for (let round = 0; round < 3; round += 1) {
      const text = Array.from({ length: 1000 }, (_, host) =>
        chunk(round, 1, `h${host}`)).join('');
      await sendTcp(collector.tcpPort, [text]);
      await waitFor(async () => await stored(collector) === (round + 1) * 1000);
      most = Math.max(most, fds());
    }
    t.equal(await collector.stop(), 0);

    t.ok(most - before <= 64, `at most 64 more descriptors (${most - before})`);
    const archive = join(collector.dir, 'archive');
    const hosts = readdirSync(archive);
    t.equal(hosts.length, 1000);
    const wrong = hosts.filter((host) =>
      sequence([join(archive, host, `${today()}.log`)]).join() !== '0,1,2');
    t.strictSame(wrong, [], 'each host file holds rounds 0, 1, 2 in order');
  });
