/**
 * What the preparer and parse-thread tests share: settings with an archive and a table, a
 * stream's metadata, a fixed receive time (so BSD stamps, rows and archive paths are exact),
 * builders of reads and datagrams, and readable views of a ParseOutcome.
 */
import type {
  Datagram, ParseOutcome, PreparerSettings, StreamMeta,
} from '../../src/pipeline/preparer.js';
import { rowsFromValues, type LogRow } from '../../src/sinks/row.js';

export const SETTINGS: PreparerSettings = { timezone: 'UTC', hostFrom: 'header',
  instance: 'test', archive: { pathTemplate: '{host}/{date}.log', format: 'line' }, sql: true,
  watchHosts: [], maxMessageSize: 8192 };

export const STREAM_META: StreamMeta = { sourceIp: '192.0.2.10', sourcePort: 51514,
  transport: 'tcp', listener: 'tcp://127.0.0.1:514' };

/** 2026-12-03 18:20:00.042 UTC: a BSD stamp of Dec 3 is read in 2026. */
export const RECEIVED_AT = Date.UTC(2026, 11, 3, 18, 20, 0, 42);

/** An RFC 3164 line (user.notice, program `app`) without its trailer. */
export function bsdLine(msg: string, host = 'web01'): string {
  return `<13>Dec  3 18:20:00 ${host} app: ${msg}`;
}

/** The text of a read holding `texts`, each ended by LF. */
export function linesOf(...texts: string[]): string {
  return texts.map((text) => `${text}\n`).join('');
}

export interface DatagramOptions {
  sourceIp: string;
  sourcePort?: number;
  /** Epoch ms; RECEIVED_AT by default. */
  receivedAt?: number;
  truncated?: boolean;
}

export function datagram(text: string, options: DatagramOptions): Datagram {
  const { sourceIp, sourcePort = 514, receivedAt = RECEIVED_AT, truncated = false } = options;
  return { frame: Buffer.from(text), truncated, meta: { sourceIp, sourcePort,
    transport: 'udp', listener: 'udp://0.0.0.0:514', receivedAt: new Date(receivedAt) } };
}

export function rowsOf(outcome: ParseOutcome): LogRow[] {
  return rowsFromValues(outcome.batch?.rows ?? []);
}

export function messagesOf(outcome: ParseOutcome): string[] {
  return rowsOf(outcome).map((row) => row.msg);
}

export interface ArchiveView {
  path: string;
  text: string;
  lines: number;
}

export function archiveOf(outcome: ParseOutcome): ArchiveView[] {
  return (outcome.batch?.archive ?? []).map(({ path, chunk }) =>
    ({ path, text: chunk.bytes.toString(), lines: chunk.lines }));
}
