/**
 * The three archive formats (`--archive-format`, DESIGN.md §4), each turning a record into
 * exactly one archive line:
 *
 * - `line`: `<datetime> <host> [<program>[<pid>]: ]<msg>` with control bytes as `#ooo`;
 * - `json`: one object per line with every column of the `logs` table except `seq` (which
 *   only the database assigns); `sd` and `fields` are nested objects, not JSON text;
 * - `raw`: the frame's original bytes and LF, for forensic copies. An octet-counted frame may
 *   hold LFs of its own, so a raw line is kept as a Buffer and its end is tracked by length.
 */
import type { LogRecord } from '../../record.js';
import type { ZoneClock } from '../../zone-clock.js';
import type { RowMapper } from '../row.js';
import type { ArchiveLine } from './line-chunk.js';
import { formatLine } from './line-format.js';

export const ARCHIVE_FORMATS = ['line', 'json', 'raw'] as const;

export type ArchiveFormat = typeof ARCHIVE_FORMATS[number];

export type RecordEncoder = (record: LogRecord) => ArchiveLine;

const LF = Buffer.from('\n');

export function recordEncoder(format: ArchiveFormat,
  options: { mapper: RowMapper; clock: ZoneClock }): RecordEncoder {
  const { mapper, clock } = options;
  switch (format) {
    case 'line':
      return (record) => formatLine({ datetime: clock.formatRfc3339(mapper.eventTime(record)),
        host: mapper.host(record), program: record.appName, pid: record.procId,
        msg: record.message });
    case 'json':
      return (record) => {
        const row = mapper.toRow(record);
        return `${JSON.stringify({ ...row, sd: parseJson(row.sd),
          fields: parseJson(row.fields) })}\n`;
      };
    case 'raw':
      return (record) => Buffer.concat([record.raw, LF]);
  }
}

function parseJson(text: string | null): unknown {
  return text === null ? null : JSON.parse(text);
}
