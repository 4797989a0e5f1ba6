/**
 * ParseThreads with two real worker threads (loaded from the sources, as tap runs them): the
 * order outcomes come back in whichever thread answers first, a sender kept on one thread,
 * the bound on bytes in flight, and what crosses between threads (datagram packs, archive
 * lines).
 */
import t, { type Test } from 'tap';
import {
  ownBuffer, packDatagrams, ParseThreads, transferablesOf, unpackDatagrams,
} from '../../src/pipeline/parse-threads.js';
import {
  Preparer, type Datagram, type ParseOutcome, type PreparerSettings,
} from '../../src/pipeline/preparer.js';
import type { LogRow } from '../../src/sinks/row.js';
import {
  archiveOf, bsdLine, datagram, linesOf, messagesOf, RECEIVED_AT, rowsOf, SETTINGS, STREAM_META,
} from '../helpers/outcomes.js';

interface PoolOptions {
  threads: number;
  settings?: PreparerSettings;
}

async function startedThreads(t: Test, options: PoolOptions): Promise<ParseThreads> {
  const pool = new ParseThreads(options.settings ?? SETTINGS, { threads: options.threads,
    onFailure: (error) => t.error(error) });
  t.teardown(() => pool.close());
  await pool.start();
  return pool;
}

let shared: Promise<ParseThreads> | undefined;

/** Under tap a thread loads its modules from the sources for over a second: tests share two. */
function sharedThreads(): Promise<ParseThreads> {
  shared ??= startedThreads(t, { threads: 2 });
  return shared;
}

/** A read of `count` lines with message `msg`, from web01. */
function linesRead(msg: string, count = 1): Buffer {
  return Buffer.from(`${bsdLine(msg)}\n`.repeat(count));
}

t.test('outcomes come in the order the reads went in, though the lighter thread answers first',
  async (t) => {
    const threads = await sharedThreads();
    const delivered: string[] = [];
    const streams = Array.from({ length: 4 }, () => threads.openStream(STREAM_META,
      (outcome) => delivered.push(`${messagesOf(outcome)[0]} x${outcome.frames}`)));
    // The streams are spread over both threads. The first one's reads are thousands of lines,
    // so its thread answers long after the other has answered its one-line reads.
    const handed: string[] = [];
    for (let round = 0; round < 5; round += 1) {
      for (const stream of streams) {
        const count = stream === streams[0] ? 5000 : 1;
        threads.streamChunk(stream, linesRead(`s${stream}r${round}`, count), RECEIVED_AT);
        handed.push(`s${stream}r${round} x${count}`);
      }
    }

    await threads.settled();
    t.strictSame(delivered, handed);
  });

const OPENERP_LINE = '[2026-12-03 18:01:30,474][prod_fr] ERROR:web-services:Uncaught exception';

/** One datagram from each sender, host erpN for the Nth, and the rows they gave. */
async function fromEachSender(threads: ParseThreads, senders: string[],
  msg: string): Promise<LogRow[]> {
  const rows: LogRow[] = [];
  threads.datagrams(senders.map((sourceIp, index) =>
    datagram(`<174>Dec  3 18:20:00 erp${index} openerp-server: ${msg}`, { sourceIp })),
  (outcome) => rows.push(...rowsOf(outcome)));
  await threads.settled();
  return rows;
}

t.test('datagrams of several senders in one batch are stored as they came', async (t) => {
  const threads = await sharedThreads();
  const outcomes: ParseOutcome[] = [];
  threads.datagrams([datagram(bsdLine('a1'), { sourceIp: '192.0.2.20' }),
    datagram(bsdLine('b1'), { sourceIp: '192.0.2.21' }),
    datagram(bsdLine('a2'), { sourceIp: '192.0.2.20' })], (outcome) => outcomes.push(outcome));
  await threads.settled();

  t.strictSame(outcomes.flatMap(messagesOf), ['a1', 'b1', 'a2']);
});

t.test('datagrams all go to one thread: a traceback continues across batches',
  async (t) => {
    const threads = await sharedThreads();
    // An odd number of senders: handing datagrams out in turn would put a sender's second on
    // the other thread, whose OpenERP memory has not seen its first.
    const senders = ['192.0.2.20', '192.0.2.21', '192.0.2.22'];

    const headers = await fromEachSender(threads, senders, OPENERP_LINE);
    t.strictSame(headers.map((row) => [row.host, row.format]),
      [['erp0', 'openerp'], ['erp1', 'openerp'], ['erp2', 'openerp']]);
    const tracebacks = await fromEachSender(threads, senders, 'Traceback (most recent call):');
    t.strictSame(tracebacks.map((row) => [row.host, row.fields]), [0, 1, 2].map((index) =>
      [`erp${index}`, '{"continuation":true}']));
  });

/** One connection from `sourceIp` sending `text` as a line; the rows it gave. */
async function connectionRows(threads: ParseThreads, sourceIp: string,
  text: string): Promise<LogRow[]> {
  const rows: LogRow[] = [];
  const stream = threads.openStream({ ...STREAM_META, sourceIp },
    (outcome) => rows.push(...rowsOf(outcome)));
  threads.streamChunk(stream, Buffer.from(linesOf(text)), RECEIVED_AT);
  threads.endStream(stream, RECEIVED_AT);
  await threads.settled();
  return rows;
}

t.test('a sender reconnecting to a quiet collector comes back to the thread that knows it',
  async (t) => {
    const threads = await sharedThreads();
    const erp = (msg: string): string => `<174>Dec  3 18:20:00 erp9 openerp-server: ${msg}`;

    const header = await connectionRows(threads, '192.0.2.30', erp(OPENERP_LINE));
    t.strictSame(header.map((row) => row.format), ['openerp']);
    const traceback = await connectionRows(threads, '192.0.2.30', erp('Traceback (most'));
    t.strictSame(traceback.map((row) => row.fields), ['{"continuation":true}']);
  });

/** 64 bytes: 31 of header, 32 of message, LF. */
const LINE_64 = `${bsdLine('x'.repeat(32))}\n`;
/** Three reads pass the 1 MiB mark; two delivered leave one, under half of the mark. */
const READ_BYTES = 384 * 1024;

t.test('busy turns on past 1 MiB in flight; capacity is announced once under half of it',
  async (t) => {
    const threads = await sharedThreads();
    let delivered = 0;
    const stream = threads.openStream(STREAM_META, () => {
      delivered += 1;
    });
    const announced: Array<[number, number, boolean]> = [];
    t.teardown(threads.onCapacity(() =>
      announced.push([delivered, threads.bytesInFlight, threads.busy])));
    const unsubscribe = threads.onCapacity(() => t.fail('an unsubscribed listener was called'));
    unsubscribe();

    const busy: boolean[] = [];
    for (let index = 0; index < 3; index += 1) {
      threads.streamChunk(stream, Buffer.alloc(READ_BYTES, LINE_64), RECEIVED_AT);
      busy.push(threads.busy);
    }
    t.strictSame([busy, threads.bytesInFlight], [[false, false, true], 3 * READ_BYTES]);
    await threads.settled();
    t.strictSame(announced, [[2, READ_BYTES, false]]);
    t.equal(threads.bytesInFlight, 0);
  });

t.test('settled resolves only once every outcome handed in was delivered', async (t) => {
  const threads = await sharedThreads();
  await threads.settled();
  const messages: string[] = [];
  const open = (): number => threads.openStream(STREAM_META,
    (outcome) => messages.push(...messagesOf(outcome)));

  for (const name of ['a', 'b', 'c']) {
    const stream = open();
    const read = Buffer.concat([linesRead(name), Buffer.from(bsdLine(`${name} end`))]);
    threads.streamChunk(stream, read, RECEIVED_AT);
    threads.endStream(stream, RECEIVED_AT);
  }
  const deliveredWhenSettled = threads.settled().then(() => [...messages]);
  t.strictSame(messages, [], 'nothing is delivered before the threads answer');
  t.strictSame(await deliveredWhenSettled, ['a', 'a end', 'b', 'b end', 'c', 'c end']);
});

t.test('archive lines come back from a thread as Buffers sharing one moved buffer',
  async (t) => {
    const threads = await sharedThreads();
    const outcomes: ParseOutcome[] = [];
    const stream = threads.openStream(STREAM_META, (outcome) => outcomes.push(outcome));
    threads.streamChunk(stream, Buffer.from(linesOf(bsdLine('one'), bsdLine('two'),
      bsdLine('two', 'db02'), bsdLine('three'))), RECEIVED_AT);

    await threads.settled();
    const chunks = outcomes[0].batch?.archive?.map(({ chunk }) => chunk.bytes) ?? [];
    t.strictSame(chunks.map((bytes) => Buffer.isBuffer(bytes)), [true, true]);
    t.equal(chunks[0].buffer, chunks[1].buffer);
    t.strictSame(archiveOf(outcomes[0]), [
      { path: 'web01/2026-12-03.log', lines: 3,
        text: '2026-12-03T18:20:00.000+00:00 web01 app: one\n' +
          '2026-12-03T18:20:00.000+00:00 web01 app: two\n' +
          '2026-12-03T18:20:00.000+00:00 web01 app: three\n' },
      { path: 'db02/2026-12-03.log', lines: 1,
        text: '2026-12-03T18:20:00.000+00:00 db02 app: two\n' },
    ]);
  });

t.test('a thread that cannot start rejects start with its error', async (t) => {
  const settings: PreparerSettings = { ...SETTINGS,
    archive: { pathTemplate: '{nope}', format: 'line' } };

  await t.rejects(startedThreads(t, { threads: 1, settings }), { code: 'LH_BAD_PATH_TEMPLATE',
    message: 'unknown token {nope}; tokens are {host} {source_ip} {program} {facility} ' +
      '{severity} {date} {year} {month} {day} {hour} {instance}' });
});

t.test('datagrams packed for a thread unpack to the same bytes, senders and flags',
  async (t) => {
    const datagrams = [datagram('<13>one', { sourceIp: '192.0.2.1' }),
      datagram('<13>twö', { sourceIp: '2001:db8::2', sourcePort: 40000,
        receivedAt: RECEIVED_AT + 1, truncated: true })];
    const pack = packDatagrams(datagrams);
    t.strictSame(pack.ends, [7, 15]);
    t.equal(pack.bytes.buffer.byteLength, 15, 'a buffer of its own, to move whole');

    const moved = structuredClone(pack, { transfer: [pack.bytes.buffer as ArrayBuffer] });
    const view = (list: Datagram[]): unknown[] => list.map(({ frame, meta, truncated }) =>
      [frame.toString(), meta, truncated]);
    t.strictSame(view(unpackDatagrams(moved)), view(datagrams));
  });

t.test('a read on a shared pool is copied before it moves; one with its own buffer is not',
  async (t) => {
    const pooled = Buffer.from('pooled');
    t.ok(pooled.buffer.byteLength > pooled.length, 'a small Buffer.from is a slice of a pool');
    const copy = ownBuffer(pooled);
    t.strictSame([copy.toString(), copy.byteOffset, copy.buffer.byteLength], ['pooled', 0, 6]);

    const whole = Buffer.alloc(16, 'a');
    t.equal(ownBuffer(whole).buffer, whole.buffer);
  });

t.test('an outcome\'s archive chunks move as the one buffer they share', async (t) => {
  const preparer = new Preparer(SETTINGS);
  preparer.openStream(1, STREAM_META);
  const outcome = preparer.streamChunk(1,
    Buffer.from(linesOf(bsdLine('one'), bsdLine('two', 'db02'))), RECEIVED_AT);
  const empty = preparer.streamChunk(1, Buffer.from('\n'), RECEIVED_AT);

  const archive = outcome.batch?.archive ?? [];
  t.equal(archive.length, 2);
  t.strictSame(transferablesOf(outcome).map((buffer) => buffer === archive[0].chunk.bytes.buffer),
    [true]);
  t.strictSame(transferablesOf(empty), []);
});
