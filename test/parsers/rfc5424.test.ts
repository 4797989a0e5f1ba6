import t from 'tap';
import { ParserChain } from '../../src/parsers/chain.js';
import type { LogRecord, ReceiveMeta } from '../../src/record.js';
import { ZoneClock } from '../../src/zone-clock.js';

const BOM = '\uFEFF';

const meta: ReceiveMeta = {
  sourceIp: '192.0.2.10',
  sourcePort: 51514,
  transport: 'udp',
  listener: 'udp://0.0.0.0:514',
  receivedAt: new Date('2026-12-03T19:30:00.000Z'),
};

function parse(text: string): LogRecord {
  return new ParserChain({ clock: new ZoneClock('UTC') }).parse(Buffer.from(text, 'utf8'), meta);
}

/** The parsed parts of a record as plain data (structured data loses its null prototypes). */
function view(record: LogRecord): Record<string, unknown> {
  return {
    facility: record.facility,
    severity: record.severity,
    timestamp: record.timestamp?.toISOString() ?? null,
    hostname: record.hostname,
    appName: record.appName,
    procId: record.procId,
    msgId: record.msgId,
    structuredData: record.structuredData === null
      ? null
      : JSON.parse(JSON.stringify(record.structuredData)),
    message: record.message,
    format: record.format,
    fields: record.fields,
  };
}

t.test('RFC 5424 example 1: no structured data, BOM before the message', async (t) => {
  const text = '<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - ' +
    `${BOM}'su root' failed for lonvick on /dev/pts/8`;
  t.strictSame(view(parse(text)), {
    facility: 4,
    severity: 2,
    timestamp: '2003-10-11T22:14:15.003Z',
    hostname: 'mymachine.example.com',
    appName: 'su',
    procId: null,
    msgId: 'ID47',
    structuredData: null,
    message: "'su root' failed for lonvick on /dev/pts/8",
    format: 'rfc5424',
    fields: {},
  });
});

t.test('RFC 5424 example 2: microseconds, an offset and no MSGID', async (t) => {
  const text = '<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - ' +
    "%% It's time to make the do-nuts.";
  t.strictSame(view(parse(text)), {
    facility: 20,
    severity: 5,
    timestamp: '2003-08-24T12:14:15.000Z',
    hostname: '192.0.2.1',
    appName: 'myproc',
    procId: '8710',
    msgId: null,
    structuredData: null,
    message: "%% It's time to make the do-nuts.",
    format: 'rfc5424',
    fields: {},
  });
});

t.test('RFC 5424 example 3: one SD element and a message', async (t) => {
  const text = '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 ' +
    '[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] ' +
    `${BOM}An application event log entry...`;
  t.strictSame(view(parse(text)), {
    facility: 20,
    severity: 5,
    timestamp: '2003-10-11T22:14:15.003Z',
    hostname: 'mymachine.example.com',
    appName: 'evntslog',
    procId: null,
    msgId: 'ID47',
    structuredData: {
      'exampleSDID@32473': { iut: '3', eventSource: 'Application', eventID: '1011' },
    },
    message: 'An application event log entry...',
    format: 'rfc5424',
    fields: {},
  });
});

t.test('RFC 5424 example 4: two SD elements and no message', async (t) => {
  const text = '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 ' +
    '[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"]' +
    '[examplePriority@32473 class="high"]';
  const record = parse(text);
  t.strictSame(view(record).structuredData, {
    'exampleSDID@32473': { iut: '3', eventSource: 'Application', eventID: '1011' },
    'examplePriority@32473': { class: 'high' },
  });
  t.equal(record.message, '');
  t.strictSame(record.fields, {});
});

t.test('RFC 5424 NILVALUEs become null and an absent message is empty', async (t) => {
  t.strictSame(view(parse('<13>1 - - - - - -')), {
    facility: 1,
    severity: 5,
    timestamp: null,
    hostname: null,
    appName: null,
    procId: null,
    msgId: null,
    structuredData: null,
    message: '',
    format: 'rfc5424',
    fields: {},
  });
});

t.test('RFC 5424 message of one space after the SD is empty', async (t) => {
  t.equal(parse('<13>1 - host app - - - ').message, '');
});

t.test('RFC 5424 keeps spaces after the one that ends the SD', async (t) => {
  t.equal(parse('<13>1 - host app - - -   indented').message, '  indented');
});

t.test('RFC 5424 BOM is removed only at the start of the message', async (t) => {
  t.equal(parse(`<13>1 - host app - - - ${BOM}a${BOM}b`).message, `a${BOM}b`);
});

t.test('RFC 5424 "[" after a "-" SD is message text', async (t) => {
  const record = parse('<13>1 - host app - - - [not@1 sd="x"]');
  t.equal(record.structuredData, null);
  t.equal(record.message, '[not@1 sd="x"]');
});

t.test('RFC 5424 SD values unescape \\" \\\\ and \\]', async (t) => {
  const record = parse(String.raw`<13>1 - h a - - [x@1 q="say \"hi\"" b="C:\\dir" c="[\]"] m`);
  t.strictSame(view(record).structuredData,
    { 'x@1': { q: 'say "hi"', b: 'C:\\dir', c: '[]' } });
  t.equal(record.message, 'm');
});

t.test('RFC 5424 SD keeps a backslash before any other character', async (t) => {
  const record = parse(String.raw`<13>1 - h a - - [x@1 path="C:\temp\n" end="\\"]`);
  t.strictSame(view(record).structuredData, { 'x@1': { path: 'C:\\temp\\n', end: '\\' } });
});

t.test('RFC 5424 SD keeps an empty value', async (t) => {
  t.strictSame(view(parse('<13>1 - h a - - [x@1 empty=""]')).structuredData,
    { 'x@1': { empty: '' } });
});

t.test('RFC 5424 SD keeps UTF-8 in values', async (t) => {
  t.strictSame(view(parse('<13>1 - h a - - [x@1 who="Zoë 日本"]')).structuredData,
    { 'x@1': { who: 'Zoë 日本' } });
});

t.test('RFC 5424 repeated SD params become an array', async (t) => {
  const record = parse('<13>1 - h a - - ' +
    '[origin ip="192.0.2.1" ip="192.0.2.2" ip="192.0.2.3" software="x"] m');
  t.strictSame(view(record).structuredData, {
    origin: { ip: ['192.0.2.1', '192.0.2.2', '192.0.2.3'], software: 'x' },
  });
  t.strictSame(record.fields, {});
});

t.test('RFC 5424 duplicate SD-IDs are merged and flagged', async (t) => {
  const record = parse('<13>1 - h a - - [a@1 x="1"][b@1 y="2"][a@1 z="3"][a@1 x="4"] m');
  t.strictSame(view(record).structuredData, {
    'a@1': { x: ['1', '4'], z: '3' },
    'b@1': { y: '2' },
  });
  t.strictSame(record.fields, { sd_duplicate: ['a@1'] });
  t.equal(record.message, 'm');
});

t.test('RFC 5424 unterminated SD element is kept as message text', async (t) => {
  const record = parse('<13>1 2026-12-03T18:00:00Z h a - - [a@1 x="1"');
  t.equal(record.structuredData, null);
  t.equal(record.message, '[a@1 x="1"');
  t.strictSame(record.fields, { sd_invalid: 'unterminated element' });
  t.equal(record.format, 'rfc5424');
  t.equal(record.hostname, 'h');
});

t.test('RFC 5424 unterminated SD value is kept as message text', async (t) => {
  const record = parse('<13>1 - h a - - [a@1 x="never closed');
  t.equal(record.structuredData, null);
  t.equal(record.message, '[a@1 x="never closed');
  t.strictSame(record.fields, { sd_invalid: 'unescaped "]" or unterminated PARAM-VALUE' });
});

t.test('RFC 5424 raw "]" in an SD value voids the whole SD', async (t) => {
  const record = parse('<13>1 - h a - - [ok@1 a="1"][a@1 x="a]b"] tail');
  t.equal(record.structuredData, null);
  t.equal(record.message, '[ok@1 a="1"][a@1 x="a]b"] tail');
  t.strictSame(record.fields, { sd_invalid: 'unescaped "]" or unterminated PARAM-VALUE' });
});

t.test('RFC 5424 SD param without quotes is invalid', async (t) => {
  const record = parse('<13>1 - h a - - [a@1 x=1] m');
  t.equal(record.structuredData, null);
  t.equal(record.message, '[a@1 x=1] m');
  t.strictSame(record.fields, { sd_invalid: 'PARAM-VALUE not quoted' });
});

t.test('RFC 5424 SD-ID longer than 32 characters is invalid', async (t) => {
  const record = parse(`<13>1 - h a - - [${'x'.repeat(33)}] m`);
  t.equal(record.structuredData, null);
  t.strictSame(record.fields, { sd_invalid: 'bad SD-ID' });
  t.strictSame(view(parse(`<13>1 - h a - - [${'x'.repeat(32)}] m`)).structuredData,
    { [`${'x'.repeat(32)}`]: {} });
});

t.test('RFC 5424 SD that is neither "-" nor "[" is kept as message text', async (t) => {
  const record = parse('<13>1 - h a - - plain message');
  t.equal(record.structuredData, null);
  t.equal(record.message, 'plain message');
  t.strictSame(record.fields, { sd_invalid: 'not "-" or "["' });
});

t.test('RFC 5424 __proto__ as an SD-ID stays plain data', async (t) => {
  const record = parse('<13>1 - h a - - [__proto__ polluted="1"] m');
  t.equal(({} as Record<string, unknown>).polluted, undefined);
  t.equal(JSON.stringify(record.structuredData), '{"__proto__":{"polluted":"1"}}');
  t.strictSame(Object.keys(record.structuredData ?? {}), ['__proto__']);
});

t.test('RFC 5424 __proto__ as a param name stays plain data', async (t) => {
  const record = parse('<13>1 - h a - - [x@1 __proto__="1" __proto__="2" constructor="3"] m');
  t.equal(({} as Record<string, unknown>).polluted, undefined);
  t.equal(JSON.stringify(record.structuredData),
    '{"x@1":{"__proto__":["1","2"],"constructor":"3"}}');
});

t.test('RFC 5424 invalid timestamp is flagged and left out', async (t) => {
  const record = parse('<13>1 2027-02-29T12:00:00Z h a - - - m');
  t.equal(record.timestamp, null);
  t.strictSame(record.fields, { timestamp_invalid: '2027-02-29T12:00:00Z' });
  t.equal(record.message, 'm');
});

t.test('RFC 5424 lower-case t and z in the timestamp are invalid', async (t) => {
  const record = parse('<13>1 2026-12-03t18:00:00z h a - - - m');
  t.equal(record.timestamp, null);
  t.strictSame(record.fields, { timestamp_invalid: '2026-12-03t18:00:00z' });
});

t.test('RFC 5424 APP-NAME over 48 characters is kept and flagged', async (t) => {
  const app = 'a'.repeat(49);
  const record = parse(`<13>1 - h ${app} - - - m`);
  t.equal(record.appName, app);
  t.strictSame(record.fields, { app_name_too_long: true });
  t.strictSame(parse(`<13>1 - h ${'a'.repeat(48)} - - - m`).fields, {});
});

t.test('RFC 5424 header cut short is read as RFC 3164 text', async (t) => {
  const record = parse('<13>1 2026-12-03T18:00:00Z host');
  t.equal(record.format, 'rfc3164');
  t.equal(record.timestamp, null);
  t.equal(record.hostname, null);
  t.equal(record.message, '1 2026-12-03T18:00:00Z host');
});

t.test('RFC 5424 with a leading-zero PRI is flagged', async (t) => {
  const record = parse('<014>1 - h a - - - m');
  t.equal(record.format, 'rfc5424');
  t.equal(record.severity, 6);
  t.strictSame(record.fields, { pri_leading_zero: true });
});
