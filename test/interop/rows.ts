/**
 * Stored rows side by side with what a sender sent. A row is read back as the columns the
 * interop scenarios compare (host, program, pid, msgid, facility, severity, datetime, msg,
 * sd, fields, format) with its JSON columns parsed, so one `t.same` shows every difference.
 *
 * A sender that stamps a message itself (logger, a relay) stamps the moment it sends, so
 * that `datetime` is compared with the window around the send: `inWindow` replaces it by
 * the marker IN_WINDOW when it lies inside, and leaves the wrong value visible otherwise.
 */
import { join } from 'node:path';
import {
  fetchJson, sqliteRows, startCollector, waitFor, type Collector, type StartOptions,
} from '../helpers/collector.js';

export interface RowView {
  host: unknown;
  program: unknown;
  pid: unknown;
  msgid: unknown;
  facility: unknown;
  severity: unknown;
  datetime: unknown;
  msg: unknown;
  sd: unknown;
  fields: unknown;
  format: unknown;
}

export const IN_WINDOW = '(within the send window)';

export interface SendWindow {
  from: string;
  to: string;
}

/** `YYYY-MM-DD HH:MM:SS` in UTC, as the collector formats `datetime` under the test zone. */
export function sqlSeconds(time: number): string {
  return new Date(time).toISOString().slice(0, 19).replace('T', ' ');
}

/** Opens a window now; `close` ends it (call it once every message was stored). */
export function openWindow(): { close(): SendWindow } {
  const from = sqlSeconds(Date.now());
  return { close: () => ({ from, to: sqlSeconds(Date.now()) }) };
}

export function viewRow(row: Record<string, unknown>): RowView {
  const json = (value: unknown): unknown => (value === null ? null : JSON.parse(String(value)));
  return {
    host: row.host, program: row.program, pid: row.pid, msgid: row.msgid,
    facility: row.facility, severity: row.priority, datetime: row.datetime, msg: row.msg,
    sd: json(row.sd), fields: json(row.fields), format: row.format,
  };
}

export function inWindow(view: RowView, window: SendWindow): RowView {
  const stamp = String(view.datetime);
  const inside = stamp >= window.from && stamp <= window.to;
  return { ...view, datetime: inside ? IN_WINDOW : view.datetime };
}

/** An expected row: the values a message should give, with the usual absent columns. */
export function expectRow(values: Partial<RowView>): RowView {
  return { host: null, program: null, pid: null, msgid: null, facility: 'user',
    severity: 'notice', datetime: IN_WINDOW, msg: '', sd: null, fields: null,
    format: 'rfc3164', ...values };
}

/** Orders rows by their text, leading spaces aside, for senders that reorder messages. */
export function byText(a: RowView, b: RowView): number {
  const [left, right] = [String(a.msg).trimStart(), String(b.msg).trimStart()];
  return left < right ? -1 : left > right ? 1 : 0;
}

export async function storedCount(collector: Collector): Promise<number> {
  return Number((await fetchJson(collector.httpPort, '/stats.json')).body.stored_sql);
}

/** Waits (generously) until the collector stored `count` rows. */
export async function waitForStored(collector: Collector, count: number): Promise<void> {
  await waitFor(async () => (await storedCount(collector)) >= count, 60_000);
}

/** Stops the collector (which drains) and reads back every row it stored, in order. */
export async function finalRows(collector: Collector): Promise<RowView[]> {
  const code = await collector.stop();
  if (code !== 0) throw new Error(`collector exited with ${code}`);
  return sqliteRows(join(collector.dir, 'logs.sqlite')).map(viewRow);
}

/** One collector per name, started side by side; each gets its own teardown. */
export async function startCollectors<Name extends string>(names: Name[],
  register: (cleanup: () => Promise<void>) => void,
  options: StartOptions = {}): Promise<Record<Name, Collector>> {
  const started = await Promise.all(names.map(() => startCollector(options)));
  for (const collector of started) register(collector.cleanup);
  return Object.fromEntries(names.map((name, index) => [name, started[index]])) as
    Record<Name, Collector>;
}
