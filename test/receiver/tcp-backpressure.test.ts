/**
 * A TCP listener in front of a full pipeline: what arrives while it is full is neither parsed
 * nor lost. It waits as bytes (a poll of the event loop reads every ready connection once, and
 * each read parsed there would go past `--queue-size`) and is parsed, in order, once the
 * pipeline takes records again. A connection that ends meanwhile, closed by its sender or by
 * the collector's stop, has what waited parsed then: nothing it sent is lost. Each case runs
 * with parsing on the main thread and on parse threads.
 */
import { connect, type Socket } from 'node:net';
import t, { type Test } from 'tap';
import { Intake } from '../../src/pipeline/intake.js';
import { ParseThreads } from '../../src/pipeline/parse-threads.js';
import { InlineParsing, type Parsing } from '../../src/pipeline/parsing.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import type { PreparedBatch } from '../../src/pipeline/prepared-batch.js';
import type { PreparerSettings } from '../../src/pipeline/preparer.js';
import type { AdmissionQuestion, Refusal, Stage } from '../../src/pipeline/stage.js';
import { AccessList } from '../../src/receiver/access.js';
import { ConnectionLimits } from '../../src/receiver/connection-limits.js';
import { parseListenAddress } from '../../src/receiver/listen-address.js';
import { TcpReceiver } from '../../src/receiver/tcp.js';
import { rowsFromValues, type LogRow } from '../../src/sinks/row.js';
import { Stats } from '../../src/stats.js';
import { waitFor } from '../helpers/collector.js';
import { capturingLogger } from '../helpers/log-rows.js';

/** A stage that keeps the rows it is given and is full while `full` says so. */
class SwitchedStage implements Stage {
  readonly name = 'switched';
  readonly records: LogRow[] = [];
  full = false;

  get depth(): number {
    return this.records.length;
  }

  enqueue(batch: PreparedBatch): void {
    this.records.push(...rowsFromValues(batch.rows ?? []));
  }

  refusal(_question: AdmissionQuestion): Refusal | null {
    return this.full ? 'queue_full' : null;
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  drain(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  destroy(): number {
    return 0;
  }

  health(): { ok: boolean } {
    return { ok: true };
  }
}

interface Listening {
  receiver: TcpReceiver;
  intake: Intake;
  stage: SwitchedStage;
  pipeline: Pipeline;
  stats: Stats;
}

const SETTINGS: PreparerSettings = { timezone: 'UTC', hostFrom: 'header', instance: 'test',
  archive: null, sql: true, watchHosts: [], maxMessageSize: 8192 };

const PARSINGS: Record<string, () => Parsing> = {
  'inline parsing': () => new InlineParsing(SETTINGS),
  'parse threads': () => new ParseThreads(SETTINGS, { threads: 2,
    onFailure: (error) => {
      throw error;
    } }),
};

async function listening(t: Test, parsing: Parsing): Promise<Listening> {
  const stage = new SwitchedStage();
  const pipeline = new Pipeline([stage]);
  const stats = new Stats();
  const { log, warnings } = capturingLogger();
  await parsing.start();
  t.teardown(() => parsing.close());
  const intake = new Intake({ parsing, pipeline, stats });
  const receiver = new TcpReceiver(parseListenAddress('127.0.0.1:0'), { intake,
    log, warnings, access: new AccessList([], { stats, warnings }),
    limits: new ConnectionLimits({ maxConnections: 10, maxPerSender: 10 }),
    rateLimiter: null, idleTimeoutMs: 0 });
  await receiver.bind();
  receiver.startReading();
  t.teardown(async () => {
    receiver.stopAccepting();
    await receiver.closeConnections(0);
  });
  return { receiver, intake, stage, pipeline, stats };
}

function sender(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.once('error', reject);
  });
}

const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function messages(stage: SwitchedStage): string[] {
  return stage.records.map((row) => row.msg);
}

/**
 * A listener with one sender whose first line (`first`) was parsed, and then a pipeline
 * that is full: the sender's connection is being read when its next bytes arrive.
 */
async function fullAfterFirstLine(t: Test, parsing: Parsing, first: string):
  Promise<Listening & { socket: Socket }> {
  const listener = await listening(t, parsing);
  const socket = await sender(listener.receiver.port);
  t.teardown(() => socket.destroy());
  socket.write(`<13>Dec  3 19:20:00 host1 app: ${first}\n`);
  await waitFor(() => listener.stage.records.length === 1);
  listener.stage.full = true;
  return { ...listener, socket };
}

async function waitingReadsGoInOrder(t: Test, parsing: Parsing): Promise<void> {
  const { stage, pipeline, stats, socket } = await fullAfterFirstLine(t, parsing, 'one');
  socket.write('<13>Dec  3 19:20:01 host1 app: two\n<13>Dec  3 19:20:02 host1 app: three\n');
  await settle(200);
  t.same(messages(stage), ['one'], 'nothing parsed while full');
  t.equal(stats.received, 1);

  stage.full = false;
  pipeline.delivered();
  await waitFor(() => stage.records.length === 3);
  t.same(messages(stage), ['one', 'two', 'three']);
  t.equal(stats.received, 3);
}

async function closedSenderKeepsWaitingRead(t: Test, parsing: Parsing): Promise<void> {
  const { receiver, intake, stage, socket } = await fullAfterFirstLine(t, parsing, 'first');
  socket.end('<13>Dec  3 19:20:01 host1 app: middle\n<13>Dec  3 19:20:02 host1 app: last');

  await waitFor(() => receiver.connectionCount === 0);
  await intake.settled();
  t.same(messages(stage), ['first', 'middle', 'last'], 'the last line, without trailer, too');
}

async function stopDeliversWaitingReads(t: Test, parsing: Parsing): Promise<void> {
  const { receiver, intake, stage, socket } = await fullAfterFirstLine(t, parsing, 'zero');
  socket.write('<13>Dec  3 19:20:01 host1 app: one\n<13>Dec  3 19:20:02 host1 app: two\n');
  await settle(200);
  t.same(messages(stage), ['zero'], 'nothing more parsed while full');

  await receiver.closeConnections(0);
  await intake.settled();
  t.same(messages(stage), ['zero', 'one', 'two']);
  t.equal(receiver.connectionCount, 0);
}

for (const [name, parsing] of Object.entries(PARSINGS)) {
  t.test(`${name}: reads that arrive while the pipeline is full wait unparsed, then go in order`,
    (t) => waitingReadsGoInOrder(t, parsing()));
  t.test(`${name}: a sender that closes while its read waits has it parsed then, to the last`,
    (t) => closedSenderKeepsWaitingRead(t, parsing()));
  t.test(`${name}: a stop delivers the reads that still wait for a full pipeline`,
    (t) => stopDeliversWaitingReads(t, parsing()));
}
