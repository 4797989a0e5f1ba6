/**
 * Scenario 1: util-linux `logger` straight to the collector, in both formats, over UDP, TCP
 * with LF framing and TCP with octet counting, with structured data, long messages and
 * non-ASCII text. `--rfc5424=notq` leaves out logger's timeQuality element, whose
 * isSynced value depends on the machine's clock discipline, so every row is exact.
 */
import { hostname } from 'node:os';
import t from 'tap';
import { interopRequired, logger, missingSenders } from './daemons.js';
import {
  expectRow, finalRows, inWindow, openWindow, startCollectors, waitForStored,
} from './rows.js';

const skip = missingSenders(['logger']);
if (skip !== false && interopRequired) t.fail(`LH_TEST_INTEROP=1 but ${skip}`);

/** logger names the host as gethostname() does; RFC 3164 keeps the part before a dot. */
const HOST = hostname();
const SHORT_HOST = HOST.split('.')[0];
const UNICODE = 'Grüße aus Köln — 日本語 ✓ ünïcödé';
const LONG_UDP = 'u'.repeat(1500) + ' middle ' + 'v'.repeat(1500);
const LONG_TCP = Array.from({ length: 2000 }, (_, index) => `word${index}`).join(' ');

t.test('logger over UDP, TCP LF and TCP octet counting gives exact rows', { skip },
  async (t) => {
    const { udp, lf, octet } = await startCollectors(['udp', 'lf', 'octet'], t.teardown);
    const to = (port: number): string[] => ['-n', '127.0.0.1', '-P', String(port)];
    const window = openWindow();

    await logger([...to(udp.udpPort), '-d', '--rfc3164', '-t', 'sshd', '--id=4321',
      '-p', 'auth.info', 'Accepted publickey for alice from 192.0.2.7 port 50522 ssh2']);
    await logger([...to(udp.udpPort), '-d', '--rfc5424=notq', '-t', 'backup', '--id=77',
      '--msgid', 'NIGHTLY', '-p', 'local3.warning', '--sd-id', 'zoo@32473',
      '--sd-param', 'tiger="hungry"', '--sd-param', 'zebra="striped \\"and\\" fast"',
      'disk 91% full']);
    await logger([...to(udp.udpPort), '-d', '--rfc5424=notq', '-t', 'intl', UNICODE]);
    await logger([...to(udp.udpPort), '-d', '--rfc5424=notq', '-t', 'long', '--size', '4000',
      LONG_UDP]);
    await logger([...to(lf.tcpPort), '-T', '--rfc3164', '-t', 'cron', '--id=99',
      '-p', 'cron.notice', UNICODE]);
    await logger([...to(lf.tcpPort), '-T', '--rfc5424=notq', '-t', 'tcplf', '-p', 'daemon.err',
      'over tcp, LF framing']);
    await logger([...to(octet.tcpPort), '-T', '--octet-count', '--rfc5424=notq', '-t', 'tcpoctet',
      '-p', 'mail.info', '--sd-id', 'origin', '--sd-param', 'ip="192.0.2.7"', 'octet counted']);
    await logger([...to(octet.tcpPort), '-T', '--octet-count', '--rfc5424=notq', '-t', 'long',
      '--size', '20000', LONG_TCP]);
    await Promise.all([waitForStored(udp, 4), waitForStored(lf, 2), waitForStored(octet, 2)]);
    const sent = window.close();

    const rows = async (collector: typeof udp) =>
      (await finalRows(collector)).map((row) => inWindow(row, sent));
    t.same(await rows(udp), [
      expectRow({ host: SHORT_HOST, program: 'sshd', pid: '4321', facility: 'auth',
        severity: 'info', msg: 'Accepted publickey for alice from 192.0.2.7 port 50522 ssh2' }),
      expectRow({ host: HOST, program: 'backup', pid: '77', msgid: 'NIGHTLY',
        facility: 'local3', severity: 'warning', msg: 'disk 91% full', format: 'rfc5424',
        sd: { 'zoo@32473': { tiger: 'hungry', zebra: 'striped "and" fast' } } }),
      expectRow({ host: HOST, program: 'intl', msg: UNICODE, format: 'rfc5424' }),
      expectRow({ host: HOST, program: 'long', msg: LONG_UDP, format: 'rfc5424' }),
    ], 'UDP');
    t.same(await rows(lf), [
      expectRow({ host: SHORT_HOST, program: 'cron', pid: '99', facility: 'cron', msg: UNICODE }),
      expectRow({ host: HOST, program: 'tcplf', facility: 'daemon', severity: 'err',
        msg: 'over tcp, LF framing', format: 'rfc5424' }),
    ], 'TCP LF');
    t.same(await rows(octet), [
      expectRow({ host: HOST, program: 'tcpoctet', facility: 'mail', severity: 'info',
        msg: 'octet counted', format: 'rfc5424', sd: { origin: { ip: '192.0.2.7' } } }),
      expectRow({ host: HOST, program: 'long', msg: LONG_TCP, format: 'rfc5424' }),
    ], 'TCP octet counting');
  });
