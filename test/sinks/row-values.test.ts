/**
 * Rows as flat values (appendRowValues), the form in which they cross from a parse thread,
 * and back as objects (rowsFromValues): the columns that follow from others are rebuilt.
 */
import t from 'tap';
import {
  appendRowValues, rowsFromValues, type LogRow, type RowValues,
} from '../../src/sinks/row.js';

const FULL: LogRow = { host: 'web01', facility: 'local4', priority: 'notice', level: 'notice',
  tag: 'a5', datetime: '2026-12-03 18:19:59', program: 'app', msg: 'hello',
  received_at: '2026-12-03 18:20:00.042', source_ip: '192.0.2.10', facility_num: 20,
  severity_num: 5, pid: '42', msgid: 'ID7', sd: '{"x@1":{"a":"1"}}',
  fields: '{"truncated":["msg"]}', format: 'rfc5424' };

const SPARSE: LogRow = { ...FULL, host: '192.0.2.11', program: null, msg: '', pid: null,
  msgid: null, sd: null, fields: null, format: 'unparsed' };

function valuesOf(rows: LogRow[]): RowValues {
  const values: RowValues = [];
  for (const row of rows) appendRowValues(values, row);
  return values;
}

t.test('rows turned into values and back are the same rows, nulls and empty text kept',
  async (t) => {
    t.strictSame(rowsFromValues(valuesOf([FULL, SPARSE])), [FULL, SPARSE]);
  });

t.test('a row crosses as twelve values: the derived columns stay behind', async (t) => {
  t.strictSame(valuesOf([FULL, SPARSE]), [
    'web01', '2026-12-03 18:19:59', 'app', 'hello', '2026-12-03 18:20:00.042', '192.0.2.10',
    165, '42', 'ID7', '{"x@1":{"a":"1"}}', '{"truncated":["msg"]}', 0,
    '192.0.2.11', '2026-12-03 18:19:59', null, '', '2026-12-03 18:20:00.042', '192.0.2.10',
    165, null, null, null, null, 5]);
});

t.test('facility, priority, level, tag and format come back as the numbers say', async (t) => {
  const kern = { ...FULL, facility: 'kern', priority: 'emerg', level: 'emerg', tag: '00',
    facility_num: 0, severity_num: 0, format: 'cisco' as const };
  const local7 = { ...FULL, facility: 'local7', priority: 'debug', level: 'debug', tag: 'bf',
    facility_num: 23, severity_num: 7, format: 'openerp' as const };
  t.strictSame(rowsFromValues(valuesOf([kern, local7])), [kern, local7]);
});
