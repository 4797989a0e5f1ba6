/**
 * The Preparer on the test's own thread: reads and datagrams in, outcomes out, with the rows,
 * archive lines and counts each sink and counter is given. Reads are cut where a socket may
 * cut them, so a frame is often split across two of them.
 */
import t from 'tap';
import {
  Preparer, type ParseOutcome, type PreparerSettings,
} from '../../src/pipeline/preparer.js';
import type { RecordFormat } from '../../src/record.js';
import {
  archiveOf, bsdLine, datagram, linesOf, messagesOf, RECEIVED_AT, rowsOf, SETTINGS, STREAM_META,
} from '../helpers/outcomes.js';

const STREAM = 1;

function openPreparer(settings: Partial<PreparerSettings> = {}): Preparer {
  const preparer = new Preparer({ ...SETTINGS, ...settings });
  preparer.openStream(STREAM, STREAM_META);
  return preparer;
}

function read(preparer: Preparer, bytes: string | Buffer): ParseOutcome {
  return preparer.streamChunk(STREAM, Buffer.from(bytes), RECEIVED_AT);
}

t.test('a read cut inside a line gives its whole lines; the next read completes the cut one',
  async (t) => {
    const preparer = openPreparer();
    const text = linesOf(bsdLine('one'), bsdLine('two'), bsdLine('three'), bsdLine('four'));
    const cut = text.indexOf('three') + 2;

    // The second read holds two frames and is decoded at once; the first of them, joined
    // from both reads, must be decoded on its own.
    const first = read(preparer, text.slice(0, cut));
    t.strictSame([first.frames, messagesOf(first)], [2, ['one', 'two']]);
    const second = read(preparer, text.slice(cut));
    t.strictSame([second.frames, messagesOf(second)], [2, ['three', 'four']]);
  });

t.test('a UTF-8 character cut between two reads is decoded whole', async (t) => {
  const preparer = openPreparer();
  const bytes = Buffer.from(linesOf(bsdLine('café')));
  const cut = bytes.indexOf(0xa9);

  t.equal(read(preparer, bytes.subarray(0, cut)).frames, 0);
  const outcome = read(preparer, bytes.subarray(cut));
  t.strictSame(messagesOf(outcome), ['café']);
  t.equal(outcome.tally.encodingFallbacks, 0);
});

t.test('the end of a stream delivers its last line, which has no trailer', async (t) => {
  const preparer = openPreparer();
  const before = read(preparer, bsdLine('last'));
  t.strictSame([before.frames, before.batch], [0, null]);

  const end = preparer.endStream(STREAM, RECEIVED_AT);
  t.strictSame([end.frames, end.empty, end.partialBytes], [1, 0, 0]);
  t.strictSame(messagesOf(end), ['last']);
  t.throws(() => read(preparer, linesOf(bsdLine('late'))),
    { message: 'Stream 1 is not open in this preparer' }, 'the stream is forgotten');
});

t.test('the end of a stream inside an octet-counted frame reports the bytes cut short',
  async (t) => {
    const preparer = openPreparer();
    // 40 octets announced, 19 sent: `<13>1 - - - - - cut`.
    t.equal(read(preparer, '40 <13>1 - - - - - cut').frames, 0);

    const end = preparer.endStream(STREAM, RECEIVED_AT);
    t.strictSame([end.frames, end.batch, end.partialBytes], [0, null, 19]);
  });

t.test('empty lines are skipped and counted as empty, read by read', async (t) => {
  const preparer = openPreparer();
  const first = read(preparer, linesOf('', bsdLine('one')));
  const second = read(preparer, linesOf('\r', '', bsdLine('two')));

  t.strictSame([first.frames, first.empty, messagesOf(first)], [1, 1, ['one']]);
  t.strictSame([second.frames, second.empty, messagesOf(second)], [1, 2, ['two']]);
});

t.test('a line over --max-message-size is cut, flagged in fields and counted truncated',
  async (t) => {
    const long = `<13>1 2026-12-03T18:20:00.000Z web01 app - - - ${'x'.repeat(100)}`;
    const outcome = read(openPreparer({ maxMessageSize: 64 }), linesOf(long, bsdLine('next')));

    // The header takes 47 of the 64 bytes kept.
    t.strictSame(rowsOf(outcome).map((row) => [row.msg, row.fields]),
      [['x'.repeat(17), '{"truncated":["msg"]}'], ['next', null]]);
    t.equal(outcome.tally.truncated, 1);
    t.equal(outcome.frames, 2, 'the rest of the long line is skipped, not a frame');
  });

/** One line in each format, and how many of it the read holds (all different). */
const FORMAT_SAMPLES: Array<[RecordFormat, string, number]> = [
  ['rfc5424', '<13>1 2026-12-03T18:20:00.000Z web01 app - - - hello', 1],
  ['rfc3164', bsdLine('hello'), 2],
  ['cisco', '<189>123: *Mar  1 00:01:02.345: %SYS-5-CONFIG_I: Configured', 3],
  ['snare', '<13>Dec  3 18:58:12 WIN2K8-FR01 MSWinEventLog\t1\tSecurity\t2051\t' +
    'Thu Dec 03 18:58:11 2026\t4624\tMicrosoft-Windows-Security-Auditing\tCORP\\jdupont\t' +
    'N/A\tSuccess Audit\tWIN2K8-FR01.corp.example\tLogon\t\tLogged on.\t1873', 4],
  ['openerp', '<174>Dec  3 18:20:00 erp01 openerp-server: [2026-12-03 18:01:30,474][prod_fr]' +
    ' ERROR:web-services:Uncaught exception', 5],
  ['unparsed', 'no header at all', 6],
];

t.test('records are counted per format, in RECORD_FORMATS order', async (t) => {
  const samples = FORMAT_SAMPLES.flatMap(([format, line, count]) =>
    Array.from({ length: count }, () => ({ format, line })));
  const outcome = read(openPreparer(), linesOf(...samples.map(({ line }) => line)));

  t.strictSame(rowsOf(outcome).map((row) => row.format), samples.map(({ format }) => format));
  t.strictSame(outcome.tally.parsed, [1, 2, 3, 4, 5, 6]);
  t.equal(outcome.tally.received, 21);
  t.equal(outcome.tally.lastReceivedAt, RECEIVED_AT);
});

t.test('watched hosts are heard whatever the case of their name', async (t) => {
  const preparer = openPreparer({ watchHosts: ['WEB01', 'db02'] });
  const outcome = read(preparer,
    linesOf(bsdLine('a', 'Web01'), bsdLine('b', 'other'), bsdLine('c', 'DB02')));

  t.strictSame(outcome.tally.watched, [['web01', RECEIVED_AT], ['db02', RECEIVED_AT]]);
});

t.test('archive lines are grouped by the file their path renders to, each in arrival order',
  async (t) => {
    const outcome = read(openPreparer(),
      linesOf(bsdLine('one'), bsdLine('two', 'db02'), bsdLine('three')));

    t.strictSame(archiveOf(outcome), [
      { path: 'web01/2026-12-03.log', lines: 2,
        text: '2026-12-03T18:20:00.000+00:00 web01 app: one\n' +
          '2026-12-03T18:20:00.000+00:00 web01 app: three\n' },
      { path: 'db02/2026-12-03.log', lines: 1,
        text: '2026-12-03T18:20:00.000+00:00 db02 app: two\n' },
    ]);
    t.strictSame(outcome.batch?.archive?.map(({ chunk }) => chunk.lineEnds), [null, null]);
  });

t.test('a row holds every column of its record', async (t) => {
  const outcome = read(openPreparer(),
    linesOf('<165>1 2026-12-03T18:19:59.123Z web01 app 42 ID7 [x@1 a="1"] hello'));

  t.strictSame(rowsOf(outcome), [{ host: 'web01', facility: 'local4', priority: 'notice',
    level: 'notice', tag: 'a5', datetime: '2026-12-03 18:19:59', program: 'app', msg: 'hello',
    received_at: '2026-12-03 18:20:00.042', source_ip: '192.0.2.10', facility_num: 20,
    severity_num: 5, pid: '42', msgid: 'ID7', sd: '{"x@1":{"a":"1"}}', fields: null,
    format: 'rfc5424' }]);
  t.strictSame([outcome.batch?.records, outcome.batch?.receivedAt], [1, RECEIVED_AT]);
});

t.test('without an archive or a table the batch holds neither', async (t) => {
  const outcome = read(openPreparer({ archive: null, sql: false }), linesOf(bsdLine('one')));

  t.strictSame(outcome.batch, { records: 1, receivedAt: RECEIVED_AT, archive: null,
    rows: null });
});

t.test('datagrams keep each its own sender, receive time and truncation', async (t) => {
  const later = RECEIVED_AT + 1000;
  const outcome = new Preparer(SETTINGS).datagrams([
    datagram(bsdLine('one'), { sourceIp: '192.0.2.1' }),
    datagram(bsdLine('two'), { sourceIp: '192.0.2.2', receivedAt: later, truncated: true })]);

  t.strictSame(rowsOf(outcome).map((row) => [row.msg, row.source_ip, row.received_at,
    row.fields]), [['one', '192.0.2.1', '2026-12-03 18:20:00.042', null],
    ['two', '192.0.2.2', '2026-12-03 18:20:01.042', '{"truncated":["msg"]}']]);
  t.strictSame([outcome.frames, outcome.tally.truncated, outcome.tally.lastReceivedAt,
    outcome.batch?.receivedAt], [2, 1, later, RECEIVED_AT]);
});
