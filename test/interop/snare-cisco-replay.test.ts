/**
 * Scenario 5: Snare for Windows and Cisco IOS. No agent runs on Linux, so the byte streams
 * recorded in the public corpus are replayed: every Snare and Cisco case over UDP as
 * recorded, and the same bytes as LF-terminated lines over one TCP connection (what Snare's
 * TCP destination and `logging host ... transport tcp` send). Each row is compared with the
 * corpus's expectation read through DESIGN.md §3. Then Snare lines are relayed by a real
 * rsyslog, which escapes their TABs to `#011`.
 */
import { lookupService } from 'node:dns/promises';
import t from 'tap';
import { FACILITY_NAMES, SEVERITY_NAMES } from '../../src/record.js';
import {
  removeDir, sendTcp, sendUdp, tempDir,
} from '../helpers/collector.js';
import {
  CONTRACT_FIELDS, expectations, loadCorpus, snarePayload, type CorpusCase, type Expectation,
} from '../helpers/corpus.js';
import { freePort, interopRequired, missingSenders, startRsyslog } from './daemons.js';
import {
  expectRow, finalRows, inWindow, IN_WINDOW, openWindow, sqlSeconds, startCollectors,
  waitForStored, type RowView, type SendWindow,
} from './rows.js';

const REPLAYED = loadCorpus().filter((corpusCase) =>
  corpusCase.kind === 'snare' || corpusCase.kind === 'cisco');
/** Flags a replayed row may carry besides the contract fields. */
const FLAG_KEYS = ['pri_missing', 'encoding', 'timestamp_invalid', 'truncated'];

/** The year that puts a year-less wall-clock stamp closest to `now` (DESIGN.md §3). */
function closestYear(monthDayTime: string, now: number): string {
  const year = new Date(now).getUTCFullYear();
  const candidates = [year - 1, year, year + 1].map((y) => `${y}-${monthDayTime}Z`);
  const distance = (stamp: string): number => Math.abs(Date.parse(stamp) - now);
  return candidates.reduce((best, stamp) => (distance(stamp) < distance(best) ? stamp : best));
}

/** `datetime` as the corpus says: the instant, the wall clock in UTC, or the receive time. */
function expectedDatetime(expect: Expectation, now: number): string {
  const fields = expect.fields as Record<string, unknown> | undefined;
  if (typeof expect.timestamp === 'string') return sqlSeconds(Date.parse(expect.timestamp));
  const local = expect.timestamp_local as string | undefined;
  if (local === undefined || fields?.clock_flag === '*') return IN_WINDOW;
  const stamp = /^\d{4}-/.test(local) ? `${local}Z` : closestYear(local, now);
  return sqlSeconds(Date.parse(stamp));
}

function expectedFields(kind: string, expect: Expectation): Record<string, unknown> {
  const source = (expect.fields ?? {}) as Record<string, unknown>;
  // Cisco's contract names every field, null when the line has none.
  const fields = Object.fromEntries(CONTRACT_FIELDS[kind]
    .filter((key) => key in source || kind === 'cisco').map((key) => [key, source[key] ?? null]));
  if (expect.pri_present === false) fields.pri_missing = true;
  if (String(expect.message_encoding ?? '').includes('windows-1252')) {
    fields.encoding = 'windows-1252';
  }
  return fields;
}

function expectedRow(corpusCase: CorpusCase, now: number): RowView {
  const expect = expectations(corpusCase)[0];
  const snare = corpusCase.kind === 'snare';
  const message = String(expect.message ?? expect.raw_msg);
  return expectRow({ host: expect.hostname ?? '127.0.0.1',
    program: snare ? 'MSWinEventLog' : null,
    facility: FACILITY_NAMES[Number(expect.facility)],
    severity: SEVERITY_NAMES[Number(expect.severity)],
    datetime: expectedDatetime(expect, now), msg: snare ? snarePayload(message) : message,
    fields: expectedFields(corpusCase.kind, expect), format: corpusCase.kind });
}

/** The row with only the contract fields and flags kept, its receive-time stamp marked. */
function comparable(row: RowView, window: SendWindow): RowView {
  const keys = [...CONTRACT_FIELDS[String(row.format)] ?? [], ...FLAG_KEYS];
  const fields = (row.fields ?? {}) as Record<string, unknown>;
  const kept = Object.fromEntries(keys.filter((key) => key in fields)
    .map((key) => [key, fields[key]]));
  const view = { ...row, fields: kept };
  return view.datetime === IN_WINDOW ? view : inWindow(view, window);
}

/** A case's bytes as one LF-terminated line, as a TCP sender frames them. */
function asLine(corpusCase: CorpusCase): Buffer {
  const raw = Buffer.from(corpusCase.raw_b64, 'base64');
  return corpusCase.transport === 'udp' ? Buffer.concat([raw, Buffer.from('\n')]) : raw;
}

t.test('recorded Snare and Cisco streams replayed over UDP and TCP give the corpus rows',
  async (t) => {
    const { udp, tcp } = await startCollectors(['udp', 'tcp'], t.teardown);
    const datagrams = REPLAYED.filter((corpusCase) => corpusCase.transport === 'udp');
    const window = openWindow();

    await sendUdp(udp.udpPort, datagrams.map((corpusCase) =>
      Buffer.from(corpusCase.raw_b64, 'base64')));
    await sendTcp(tcp.tcpPort, REPLAYED.map(asLine));
    await Promise.all([waitForStored(udp, datagrams.length),
      waitForStored(tcp, REPLAYED.length)]);
    const sent = window.close();
    const now = Date.now();

    const rows = async (collector: typeof udp) =>
      (await finalRows(collector)).map((row) => comparable(row, sent));
    t.same(await rows(udp), datagrams.map((corpusCase) => expectedRow(corpusCase, now)), 'UDP');
    t.same(await rows(tcp), REPLAYED.map((corpusCase) => expectedRow(corpusCase, now)),
      'TCP, one line per message');
  });

/**
 * The row of a Snare line after rsyslog's SyslogProtocol23 hop: rsyslog adds a PRI to the
 * native line and names it after the sender's address, which it resolves; TABs become `#011`.
 */
function relayedRow(corpusCase: CorpusCase, loopbackName: string, now: number): RowView {
  const direct = expectedRow(corpusCase, now);
  const { pri_missing: native, ...fields } = direct.fields as Record<string, unknown>;
  return { ...direct, fields, msg: String(direct.msg).replaceAll('\t', '#011'),
    host: native === true ? loopbackName : direct.host };
}

const relaySkip = missingSenders(['rsyslog']);
if (relaySkip !== false && interopRequired) t.fail(`LH_TEST_INTEROP=1 but ${relaySkip}`);

t.test('Snare lines relayed by rsyslog arrive with #011 delimiters and every field',
  { skip: relaySkip }, async (t) => {
    const { relayed } = await startCollectors(['relayed'], t.teardown);
    const dir = tempDir('logharbor-snare-relay-');
    t.teardown(() => removeDir(dir));
    const udpIn = await freePort('udp');
    const rsyslog = await startRsyslog({ dir, ready: [{ udp: udpIn }], config:
      `global(workDirectory="${dir}/work")\nmodule(load="imudp")\n` +
      `input(type="imudp" address="127.0.0.1" port="${udpIn}" ruleset="relay")\n` +
      'ruleset(name="relay") { action(type="omfwd" target="127.0.0.1" ' +
      `port="${relayed.tcpPort}" protocol="tcp" TCP_Framing="octet-counted" ` +
      'template="RSYSLOG_SyslogProtocol23Format") }\n' });
    t.teardown(rsyslog.stop);
    const snare = REPLAYED.filter((corpusCase) => corpusCase.kind === 'snare' &&
      corpusCase.transport === 'udp');
    const window = openWindow();

    await sendUdp(udpIn, snare.map((corpusCase) => Buffer.from(corpusCase.raw_b64, 'base64')));
    await waitForStored(relayed, snare.length);
    const sent = window.close();
    await rsyslog.stop();
    const now = Date.now();

    const loopbackName = (await lookupService('127.0.0.1', 0)).hostname;
    t.same((await finalRows(relayed)).map((row) => comparable(row, sent)),
      snare.map((corpusCase) => relayedRow(corpusCase, loopbackName, now)));
  });
