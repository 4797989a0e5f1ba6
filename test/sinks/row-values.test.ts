/**
 * Rows as flat values (appendRowValues), the form in which they cross from a parse thread,
 * and back as objects (rowsFromValues).
 */
import t from 'tap';
import {
  appendRowValues, ROW_COLUMNS, rowsFromValues, type LogRow, type RowValues,
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

t.test('a row\'s values follow ROW_COLUMNS, one row after the other', async (t) => {
  t.strictSame(valuesOf([FULL, SPARSE]), [...ROW_COLUMNS.map((column) => FULL[column]),
    ...ROW_COLUMNS.map((column) => SPARSE[column])]);
});
