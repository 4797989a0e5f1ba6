/**
 * What the sinks are given: the records of one read (or of one turn's datagrams) already
 * turned into what each sink writes, archive lines grouped by file and table rows. The work
 * done for each message (parse, map, format) is then done once, on whichever thread parsed
 * it, and what reaches the main thread is a few buffers and plain rows, never records.
 */
import { flagTruncated, RECORD_FORMATS, type LogRecord } from '../record.js';
import {
  encodeLineGroups, type ArchiveLine, type LineChunk,
} from '../sinks/archive/line-chunk.js';
import type { PathTemplate } from '../sinks/archive/path-template.js';
import type { RecordEncoder } from '../sinks/archive/record-encoder.js';
import { appendRowValues, type RowMapper, type RowValues } from '../sinks/row.js';
import type { ZoneClock } from '../zone-clock.js';

/**
 * Consecutive archive lines bound for one file, in arrival order. The chunks of one batch are
 * views of one buffer allocated for them alone (see encodeLineGroups).
 */
export interface ArchiveGroup {
  /** Relative to the archive root, as the path template rendered it. */
  path: string;
  chunk: LineChunk;
}

export interface PreparedBatch {
  records: number;
  /** Receive time of the first record (epoch ms): how long the batch has waited. */
  receivedAt: number;
  /** Null when there is no archive. */
  archive: ArchiveGroup[] | null;
  /** The rows' values (appendRowValues); null when there is no SQL table. */
  rows: RowValues | null;
}

/** What parsing a batch counted, for `/stats.json`. */
export interface Tally {
  received: number;
  /** Records per format, in RECORD_FORMATS order. */
  parsed: number[];
  encodingFallbacks: number;
  truncated: number;
  /** Epoch ms of the last record's receive time; 0 when there was none. */
  lastReceivedAt: number;
  /** `--watch-host` names (lower case) heard from, with their last receive time. */
  watched: Array<[string, number]>;
}

export interface BatchBuilderOptions {
  mapper: RowMapper;
  clock: ZoneClock;
  /** Null when there is no archive. */
  archive: { template: PathTemplate; encode: RecordEncoder } | null;
  sql: boolean;
  /** `--watch-host` names in lower case. */
  watched: ReadonlySet<string>;
}

/** Rendered paths are cached per wall-clock hour (time tokens are constant within one). */
const PATH_CACHE_LIMIT = 10_000;
const HOUR_MS = 3_600_000;
const FORMAT_INDEX = new Map(RECORD_FORMATS.map((format, index) => [format, index]));

/** Collects records into one PreparedBatch and its Tally; `take` starts the next. */
export class BatchBuilder {
  readonly #options: BatchBuilderOptions;
  readonly #paths = new Map<string, string>();
  #pathHour = Number.NaN;
  #lines = new Map<string, ArchiveLine[]>();
  #rows: RowValues = [];
  #records = 0;
  #receivedAt = 0;
  #tally = emptyTally();

  constructor(options: BatchBuilderOptions) {
    this.#options = options;
  }

  /** A parsed record; `truncated`: the framer or receiver cut it to --max-message-size. */
  add(record: LogRecord, truncated: boolean): void {
    const { archive, mapper, sql } = this.#options;
    const receivedAt = record.meta.receivedAt.getTime();
    if (this.#records === 0) this.#receivedAt = receivedAt;
    this.#records += 1;
    if (truncated) {
      flagTruncated(record.fields, 'msg');
      this.#tally.truncated += 1;
    }
    this.#count(record, receivedAt);

    if (archive !== null) {
      const path = this.#pathOf(record, receivedAt, archive.template);
      const lines = this.#lines.get(path);
      const line = archive.encode(record);
      if (lines === undefined) this.#lines.set(path, [line]);
      else lines.push(line);
    }
    if (sql) appendRowValues(this.#rows, mapper.toRow(record));
  }

  /** The batch of the records added since the last take (null if none), and their tally. */
  take(): { batch: PreparedBatch | null; tally: Tally } {
    const tally = this.#tally;
    this.#tally = emptyTally();
    if (this.#records === 0) return { batch: null, tally };

    const batch: PreparedBatch = {
      records: this.#records,
      receivedAt: this.#receivedAt,
      archive: this.#options.archive === null ? null : groupsOf(this.#lines),
      rows: this.#options.sql ? this.#rows : null,
    };
    this.#lines = new Map();
    this.#rows = [];
    this.#records = 0;
    return { batch, tally };
  }

  #count(record: LogRecord, receivedAt: number): void {
    const tally = this.#tally;
    tally.received += 1;
    tally.parsed[FORMAT_INDEX.get(record.format) ?? 0] += 1;
    if (record.fields.encoding !== undefined) tally.encodingFallbacks += 1;
    tally.lastReceivedAt = receivedAt;
    if (this.#options.watched.size === 0) return;

    const host = this.#options.mapper.host(record).toLowerCase();
    if (this.#options.watched.has(host)) tally.watched.push([host, receivedAt]);
  }

  #pathOf(record: LogRecord, receivedAt: number, template: PathTemplate): string {
    const { clock, mapper } = this.#options;
    const hour = Math.floor((receivedAt + clock.offsetAt(receivedAt)) / HOUR_MS);
    if (hour !== this.#pathHour || this.#paths.size >= PATH_CACHE_LIMIT) {
      this.#paths.clear();
      this.#pathHour = hour;
    }
    const values = { host: mapper.host(record), record };
    const key = template.messageKey(values);
    const cached = this.#paths.get(key);
    if (cached !== undefined) return cached;

    const path = template.render(values);
    this.#paths.set(key, path);
    return path;
  }
}

export function emptyTally(): Tally {
  return { received: 0, parsed: RECORD_FORMATS.map(() => 0), encodingFallbacks: 0,
    truncated: 0, lastReceivedAt: 0, watched: [] };
}

/** One chunk per file, all in one buffer: one move to the main thread, not one per file. */
function groupsOf(lines: Map<string, ArchiveLine[]>): ArchiveGroup[] {
  const chunks = encodeLineGroups([...lines.values()]);
  return [...lines.keys()].map((path, index) => ({ path, chunk: chunks[index] }));
}
