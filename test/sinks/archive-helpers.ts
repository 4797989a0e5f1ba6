/** Builds real archive sinks over temporary directories, and the records they write. */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pino } from 'pino';
import { RateLimitedLog } from '../../src/log.js';
import type { LogRecord } from '../../src/record.js';
import { ArchiveLayout } from '../../src/sinks/archive/archive-layout.js';
import { BatchBuilder } from '../../src/pipeline/prepared-batch.js';
import type { WriteOutcome } from '../../src/pipeline/sink.js';
import { ArchiveSink, type ArchiveSinkOptions } from '../../src/sinks/archive/archive-sink.js';
import { PathTemplate } from '../../src/sinks/archive/path-template.js';
import { recordEncoder, type ArchiveFormat } from '../../src/sinks/archive/record-encoder.js';
import { RowMapper } from '../../src/sinks/row.js';
import { Stats } from '../../src/stats.js';
import { ZoneClock } from '../../src/zone-clock.js';

export interface LogEntry {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface CapturedLog {
  entries: LogEntry[];
  readonly warnings: LogEntry[];
  readonly infos: LogEntry[];
}

/** An archive sink that also takes records, prepared as the parse threads prepare them. */
export class RecordArchiveSink extends ArchiveSink {
  readonly #builder: BatchBuilder;

  constructor(options: ArchiveSinkOptions, builder: BatchBuilder) {
    super(options);
    this.#builder = builder;
  }

  writeRecords(records: LogRecord[]): Promise<WriteOutcome> {
    for (const record of records) this.#builder.add(record, false);
    return this.write(this.#builder.take().batch?.archive ?? []);
  }
}

export interface TestSinkOptions extends Partial<ArchiveSinkOptions> {
  template?: string;
  zone?: string;
  format?: ArchiveFormat;
}

export function record(overrides: Partial<Omit<LogRecord, 'meta'>> &
  { receivedAt?: string; sourceIp?: string } = {}): LogRecord {
  const { receivedAt, sourceIp, ...rest } = overrides;
  return {
    meta: { sourceIp: sourceIp ?? '127.0.0.1', sourcePort: 51514, transport: 'tcp',
      listener: 'tcp://127.0.0.1:514',
      receivedAt: new Date(receivedAt ?? '2026-12-03T10:00:00.000Z') },
    raw: Buffer.from('<13>raw'),
    facility: 1,
    severity: 5,
    timestamp: null,
    hostname: 'web01',
    appName: 'app',
    procId: null,
    msgId: null,
    structuredData: null,
    message: 'hello',
    format: 'rfc3164',
    fields: {},
    ...rest,
  };
}

export function captureLog(): { log: pino.Logger; captured: CapturedLog } {
  const entries: LogEntry[] = [];
  const captured: CapturedLog = {
    entries,
    get warnings() { return entries.filter((entry) => entry.level === 40); },
    get infos() { return entries.filter((entry) => entry.level === 30); },
  };
  const log = pino({ level: 'debug' }, { write: (line: string) => {
    entries.push(JSON.parse(line) as LogEntry);
  } });
  return { log, captured };
}

/** An open sink writing under `dir/archive`; the time defaults to the records' own. */
export async function archiveSink(dir: string, options: TestSinkOptions = {}):
  Promise<{ sink: RecordArchiveSink; log: CapturedLog; stats: Stats }> {
  const { zone, format, template: text, ...rest } = options;
  const clock = new ZoneClock(zone ?? 'UTC');
  const mapper = new RowMapper({ clock, hostFrom: 'header' });
  const pathText = text ?? '{host}/{date}.log';
  const { log, captured } = captureLog();
  const stats = new Stats();
  const builder = new BatchBuilder({ mapper, clock, sql: false, watched: new Set(),
    archive: { template: new PathTemplate(pathText, { clock, instance: 'lh1' }),
      encode: recordEncoder(format ?? 'line', { mapper, clock }) } });
  const sink = new RecordArchiveSink({
    root: join(dir, 'archive'), clock, stats, log, warnings: new RateLimitedLog(log),
    layout: new ArchiveLayout(pathText, { instance: 'lh1' }),
    maxOpenFiles: 256, fileMode: 0o640, rotateSizeBytes: 100 * 1024 ** 2, fsync: 'interval',
    compress: 'gzip', retainDays: 30, sweepDelayMs: 3_600_000,
    now: () => Date.parse('2026-12-03T10:00:00.000Z'),
    ...rest,
  }, builder);
  await sink.open();
  return { sink, log: captured, stats };
}

/** Every file and link under `root`, relative, sorted. */
export function sortedFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => !entry.isDirectory())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}
