import t from 'tap';
import type { LogRecord } from '../../src/record.js';
import {
  PATH_TOKENS, PathTemplate, PathTemplateError, safePathPart,
} from '../../src/sinks/archive/path-template.js';
import { ZoneClock } from '../../src/zone-clock.js';

function record(overrides: Partial<LogRecord> = {}): LogRecord {
  return {
    meta: {
      sourceIp: '2001:db8::5',
      sourcePort: 51514,
      transport: 'udp',
      listener: 'udp://[::]:514',
      receivedAt: new Date('2026-12-03T23:30:00.000Z'),
    },
    raw: Buffer.from('<38>x'),
    facility: 4,
    severity: 6,
    timestamp: null,
    hostname: 'web01',
    appName: 'sshd',
    procId: null,
    msgId: null,
    structuredData: null,
    message: 'x',
    format: 'rfc3164',
    fields: {},
    ...overrides,
  };
}

function render(template: string, values: { host?: string; record?: LogRecord } = {},
  zone = 'Europe/Paris'): string {
  const path = new PathTemplate(template, { clock: new ZoneClock(zone), instance: 'lh-1' });
  return path.render({ host: values.host ?? 'web01', record: values.record ?? record() });
}

function thrownBy(template: string): unknown {
  try {
    new PathTemplate(template, { clock: new ZoneClock('UTC'), instance: 'x' });
  } catch (error) {
    return error;
  }
  return undefined;
}

/** The code and message a template is refused with, or null when it is accepted. */
function templateError(template: string): { code: string; message: string } | null {
  const error = thrownBy(template);
  if (!(error instanceof PathTemplateError)) return null;
  return { code: error.code, message: error.message };
}

const DOTS_OR_BRACES = { code: 'LH_BAD_PATH_TEMPLATE',
  message: 'may not contain ".." or unmatched braces' };

t.test('a safe name is kept as is', async (t) => {
  t.equal(safePathPart('web-01.example_com'), 'web-01.example_com');
  t.equal(safePathPart('...'), '...');
});

t.test('a traversal path becomes one harmless name', async (t) => {
  t.equal(safePathPart('../../etc/cron.d/x'), '.._.._etc_cron.d_x');
});

t.test('".." and "." become "_"', async (t) => {
  t.equal(safePathPart('..'), '_');
  t.equal(safePathPart('.'), '_');
});

t.test('a slash becomes "_"', async (t) => {
  t.equal(safePathPart('a/b'), 'a_b');
  t.equal(safePathPart('a\\b'), 'a_b');
});

t.test('percent-encoded traversal keeps no percent sign', async (t) => {
  t.equal(safePathPart('%2e%2e%2f'), '_2e_2e_2f');
});

t.test('a NUL byte becomes "_"', async (t) => {
  t.equal(safePathPart('host\u0000.log'), 'host_.log');
});

t.test('a 5,000-character name keeps 64 characters', async (t) => {
  t.equal(safePathPart('a'.repeat(5000)), 'a'.repeat(64));
  t.equal(safePathPart('/'.repeat(5000)), '_'.repeat(64));
  t.equal(safePathPart('b'.repeat(65)), 'b'.repeat(64));
});

t.test('Unicode look-alikes become one "_" per code point', async (t) => {
  // Cyrillic е, х, а look like Latin e, x, a.
  t.equal(safePathPart('\u0435\u0445\u0430mple'), '___mple');
  t.equal(safePathPart('caf\u00e9'), 'caf_');
  t.equal(safePathPart('\u{1F600}host'), '_host');
});

t.test('an RTL override becomes "_"', async (t) => {
  t.equal(safePathPart('invoice\u202Efdp.exe'), 'invoice_fdp.exe');
});

t.test('an IPv6 address loses its colons', async (t) => {
  t.equal(safePathPart('2001:db8::1'), '2001_db8__1');
  t.equal(safePathPart('::1'), '__1');
});

t.test('an empty name becomes "_"', async (t) => {
  t.equal(safePathPart(''), '_');
});

t.test('the default template renders host and receive date', async (t) => {
  t.equal(render('{host}/{date}.log'), 'web01/2026-12-04.log');
});

t.test('every token renders from the record and the receive time', async (t) => {
  const template = PATH_TOKENS.map((token) => `{${token}}`).join('/');
  t.equal(render(template), 'web01/2001_db8__5/sshd/auth/info/2026-12-04/2026/12/04/00/lh-1');
});

t.test('time tokens come from the receive time in the zone', async (t) => {
  const old = record({ timestamp: new Date('2020-01-01T00:00:00.000Z') });
  t.equal(render('{year}-{month}-{day}T{hour}', { record: old }), '2026-12-04T00');
  t.equal(render('{year}-{month}-{day}T{hour}', { record: old }, 'America/New_York'),
    '2026-12-03T18');
});

t.test('host-derived tokens are made safe', async (t) => {
  t.equal(render('{host}/{date}.log', { host: '../../etc' }), '.._.._etc/2026-12-04.log');
  t.equal(render('{host}/{date}.log', { host: '..' }), '_/2026-12-04.log');
});

t.test('a missing program renders as "_"', async (t) => {
  t.equal(render('{program}.log', { record: record({ appName: null }) }), '_.log');
});

t.test('a hostile program name is made safe', async (t) => {
  t.equal(render('{program}.log', { record: record({ appName: '../x' }) }), '.._x.log');
});

t.test('the instance name is made safe', async (t) => {
  const path = new PathTemplate('{instance}/x.log',
    { clock: new ZoneClock('UTC'), instance: '../box 1' });
  t.equal(path.render({ host: 'h', record: record() }), '.._box_1/x.log');
});

t.test('facility and severity tokens use their names', async (t) => {
  t.equal(render('{facility}.{severity}', { record: record({ facility: 23, severity: 0 }) }),
    'local7.emerg');
  t.equal(render('{facility}', { record: record({ facility: 15 }) }), 'solaris-cron');
});

t.test('a relative template with known tokens is accepted', async (t) => {
  t.equal(templateError('{host}/{date}.log'), null);
  t.equal(templateError('{instance}/{year}/{month}/{host}-{program}.log'), null);
});

t.test('an absolute template is refused', async (t) => {
  t.type(thrownBy('/var/log/{host}.log'), PathTemplateError);
  t.strictSame(templateError('/var/log/{host}.log'), {
    code: 'LH_BAD_PATH_TEMPLATE',
    message: 'must be a relative path such as {host}/{date}.log',
  });
});

t.test('an empty template is refused', async (t) => {
  t.strictSame(templateError(''), { code: 'LH_BAD_PATH_TEMPLATE',
    message: 'must be a relative path such as {host}/{date}.log' });
});

t.test('a ".." segment in a template is refused', async (t) => {
  t.strictSame(templateError('{host}/../{date}.log'), DOTS_OR_BRACES);
  t.strictSame(templateError('../{host}.log'), DOTS_OR_BRACES);
  t.strictSame(templateError('{host}/..'), DOTS_OR_BRACES);
});

t.test('a template with dots that are not a ".." segment is accepted', async (t) => {
  t.equal(render('{host}/..x/{date}.log'), 'web01/..x/2026-12-04.log');
});

t.test('an unknown token is refused and the known ones listed', async (t) => {
  t.strictSame(templateError('{hostname}/{date}.log'), {
    code: 'LH_BAD_PATH_TEMPLATE',
    message: 'unknown token {hostname}; tokens are {host} {source_ip} {program} {facility} ' +
      '{severity} {date} {year} {month} {day} {hour} {instance}',
  });
  t.equal(templateError('{}/x.log')?.message.startsWith('unknown token {}; tokens are {host}'),
    true);
});

t.test('an unmatched brace is refused', async (t) => {
  t.strictSame(templateError('{host/{date}.log'), DOTS_OR_BRACES);
  t.strictSame(templateError('{host}/date}.log'), DOTS_OR_BRACES);
  t.strictSame(templateError('{host}/{date.log'), DOTS_OR_BRACES);
  t.strictSame(templateError('{{host}}.log'), DOTS_OR_BRACES);
});
