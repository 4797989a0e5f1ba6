/**
 * SinkRunner's admission marks: datagrams are taken up to --queue-size, stream readers pause
 * far earlier (two batches or a sixteenth of the queue) and go on at half of that.
 */
import { pino } from 'pino';
import t from 'tap';
import type { PreparedBatch } from '../../src/pipeline/prepared-batch.js';
import type { Sink } from '../../src/pipeline/sink.js';
import { SinkRunner } from '../../src/pipeline/sink-runner.js';

/** A sink never opened: what is enqueued stays queued. */
const CLOSED_SINK: Sink = {
  name: 'archive',
  open: () => Promise.resolve(),
  write: () => Promise.resolve({ kind: 'written', written: 0 }),
  flush: () => Promise.resolve(),
  close: () => Promise.resolve(),
  health: () => ({ ok: true }),
};

function runner(queueSize: number, batchSize: number): SinkRunner {
  return new SinkRunner(CLOSED_SINK, { queueSize, batchSize, flushIntervalMs: 50,
    backoff: { initialMs: 10, maxMs: 10 }, log: pino({ level: 'silent' }) });
}

function batchOf(records: number): PreparedBatch {
  return { records, receivedAt: 0, rows: null,
    archive: [{ path: 'all.log', chunk: { bytes: Buffer.alloc(0), lines: records,
      lineEnds: null } }] };
}

/** The answers to each question with `records` queued. */
function answers(stage: SinkRunner, records: number): Array<string | null> {
  stage.enqueue(batchOf(records - stage.depth));
  return [stage.refusal('stream'), stage.refusal('resume'), stage.refusal('datagram')];
}

t.test('stream readers pause at a sixteenth of the queue, datagrams wait for all of it',
  async (t) => {
    const stage = runner(100_000, 2000);
    t.strictSame(answers(stage, 3124), [null, null, null]);
    t.strictSame(answers(stage, 3125), [null, 'queue_full', null]);
    t.strictSame(answers(stage, 6250), ['queue_full', 'queue_full', null]);
    t.strictSame(answers(stage, 100_000), ['queue_full', 'queue_full', 'queue_full']);
  });

t.test('two batches are the least a stream may fill, the whole queue the most', async (t) => {
  const small = runner(20_000, 2000);
  t.strictSame(answers(small, 3999), [null, 'queue_full', null]);
  t.strictSame(answers(small, 4000), ['queue_full', 'queue_full', null]);
  const tiny = runner(50, 2000);
  t.strictSame(answers(tiny, 49), [null, 'queue_full', null]);
  t.strictSame(answers(tiny, 50), ['queue_full', 'queue_full', 'queue_full']);
});

t.test('datagrams on their way count as queued', async (t) => {
  const stage = runner(100_000, 2000);
  stage.enqueue(batchOf(99_000));
  t.equal(stage.refusal('datagram', 999), null);
  t.equal(stage.refusal('datagram', 1000), 'queue_full');
});
