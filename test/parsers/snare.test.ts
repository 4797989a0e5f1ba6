import t from 'tap';
import { loadCorpus, parseLine, view } from '../helpers/corpus.js';

/** The 14 payload fields of a logon event, as the agent writes them. */
const LOGON = ['1', 'Security', '2051', 'Thu Dec 03 18:58:11 2026', '4624',
  'Microsoft-Windows-Security-Auditing', 'CORP\\jdupont', 'N/A', 'Success Audit',
  'WIN2K8-FR01.corp.example', 'Logon', '', 'An account was successfully logged on.', '1873'];

const LOGON_FIELDS = {
  criticality: 1,
  event_log: 'Security',
  snare_counter: 2051,
  event_id: 4624,
  event_source: 'Microsoft-Windows-Security-Auditing',
  user: 'CORP\\jdupont',
  sid_type: 'N/A',
  event_type: 'Success Audit',
  computer: 'WIN2K8-FR01.corp.example',
  category: 'Logon',
  data: '',
  expanded: 'An account was successfully logged on.',
  event_time: 'Thu Dec 03 18:58:11 2026',
  trailer: '1873',
  trailer_kind: 'record_number',
};

/** The logon fields as read with `delimiter`, which the record keeps too. */
function logonFields(delimiter: string): Record<string, unknown> {
  return { ...LOGON_FIELDS, delimiter };
}

function payload(delimiter: string, fields: string[] = LOGON): string {
  return fields.join(delimiter);
}

t.test('Snare with a syslog header takes host and time from the header', async (t) => {
  const record = parseLine(`<13>Dec  3 18:58:12 WIN2K8-FR01 MSWinEventLog\t${payload('\t')}`);
  t.strictSame(view(record), {
    format: 'snare',
    facility: 1,
    severity: 5,
    timestamp: '2026-12-03T18:58:12.000Z',
    hostname: 'WIN2K8-FR01',
    appName: 'MSWinEventLog',
    procId: null,
    message: payload('\t'),
    fields: logonFields('\t'),
  });
});

t.test('native Snare without PRI takes its host from the first field', async (t) => {
  const record = parseLine(`WIN2K8-FR01\tMSWinEventLog\t${payload('\t')}`);
  t.equal(record.format, 'snare');
  t.equal(record.hostname, 'WIN2K8-FR01');
  t.equal(record.timestamp, null);
  t.equal(record.message, payload('\t'));
  t.strictSame(record.fields,
    { pri_missing: true, hostname_in_payload: 'WIN2K8-FR01', ...logonFields('\t') });
});

t.test('native Snare relayed behind an RFC 3164 header keeps the relay header host',
  async (t) => {
    const record = parseLine('<13>Dec  3 13:03:06 10.1.2.3 WIN2K8-FR01\tMSWinEventLog\t' +
      payload('\t'));
    t.equal(record.format, 'snare');
    t.equal(record.hostname, '10.1.2.3');
    t.equal(record.fields.hostname_in_payload, 'WIN2K8-FR01');
    t.equal(record.timestamp?.toISOString(), '2026-12-03T13:03:06.000Z');
    t.equal(record.fields.event_id, 4624);
  });

t.test('Snare relayed by rsyslog reads #011 as the TAB delimiter', async (t) => {
  const record = parseLine(`<13>Dec  3 19:01:51 10.1.2.3 WIN2K8-FR01#011MSWinEventLog#011` +
    payload('#011'));
  t.equal(record.hostname, '10.1.2.3');
  t.equal(record.message, payload('#011'));
  t.strictSame(record.fields, { hostname_in_payload: 'WIN2K8-FR01', ...logonFields('#011') });
});

t.test('Snare whose TAG rsyslog cut keeps the fields after the date', async (t) => {
  const cut = '<13>Dec  3 19:01:51 127.0.0.1 WIN2K8-FR01#011MSWinEventLog#011 Dec 03 18:58:11' +
    ` 2026#011${payload('#011', LOGON.slice(4))}`;
  const record = parseLine(cut);
  t.equal(record.format, 'snare');
  t.equal(record.hostname, '127.0.0.1');
  t.strictSame(record.fields, {
    hostname_in_payload: 'WIN2K8-FR01', ...logonFields('#011'), criticality: null, event_log: null,
    snare_counter: null, event_time: 'Dec 03 18:58:11 2026', snare_incomplete: true,
  });
});

t.test('Snare cut inside the log name keeps the whole fields before it', async (t) => {
  const record = parseLine('<13>Dec  3 19:01:51 127.0.0.1 PC1#011MSWinEventLog#0111#011Sec' +
    ` Dec 03 18:58:11 2026#011${payload('#011', LOGON.slice(4))}`);
  t.equal(record.fields.criticality, 1);
  t.equal(record.fields.event_log, null);
  t.equal(record.fields.snare_counter, null);
  t.equal(record.fields.event_id, 4624);
  t.equal(record.fields.snare_incomplete, true);
});

t.test('Snare with a vertical bar delimiter', async (t) => {
  const record = parseLine(`<13>Dec  3 19:21:00 WIN2K8-FR01 MSWinEventLog|${payload('|')}`);
  t.equal(record.message, payload('|'));
  t.strictSame(record.fields, logonFields('|'));
});

t.test('Snare with a comma delimiter keeps commas of the expanded text in it', async (t) => {
  const fields = [...LOGON];
  fields[12] = 'Logon failed, account locked, retry later.';
  const record = parseLine('<13>Dec  3 19:21:00 WIN2K8-FR01 MSWinEventLog,' +
    payload(',', fields));
  t.equal(record.fields.expanded, 'Logon failed, account locked, retry later.');
  t.equal(record.fields.trailer, '1873');
  t.equal(record.fields.category, 'Logon');
});

t.test('Snare with a custom two-character delimiter', async (t) => {
  const record = parseLine(`WIN2K8-FR01~~MSWinEventLog~~${payload('~~')}`);
  t.equal(record.format, 'snare');
  t.equal(record.hostname, 'WIN2K8-FR01');
  t.strictSame(record.fields,
    { pri_missing: true, hostname_in_payload: 'WIN2K8-FR01', ...logonFields('~~') });
});

t.test('Snare with a space delimiter is read by anchors and flagged ambiguous', async (t) => {
  const record = parseLine(`<13>Dec  3 19:21:00 WIN2K8-FR01 MSWinEventLog ${payload(' ')}`);
  t.equal(record.format, 'snare');
  t.strictSame(record.fields, { ...logonFields(' '), snare_ambiguous: true });
});

t.test('Snare with a space delimiter keeps multi-word log and source names', async (t) => {
  const fields = ['2', 'Directory Service', '17', 'Fri Nov 27 09:58:51 2015', '1644',
    'Service Control Manager', 'NT AUTHORITY\\SYSTEM', 'Well Known Group', 'Information',
    'DC1', 'None', '', 'The service entered the running state.', '0'];
  const record = parseLine(`DC1 MSWinEventLog ${payload(' ', fields)}`);
  t.equal(record.fields.event_log, 'Directory Service');
  t.equal(record.fields.snare_counter, 17);
  t.equal(record.fields.event_id, 1644);
  t.equal(record.fields.sid_type, 'Well Known Group');
  t.equal(record.fields.event_type, 'Information');
  t.equal(record.fields.computer, 'DC1');
  t.equal(record.fields.category, 'None');
  t.equal(record.fields.expanded, 'The service entered the running state.');
  t.equal(record.fields.trailer, '0');
});

t.test('Snare MD5 trailer is kept as text', async (t) => {
  const fields = [...LOGON.slice(0, 13), '8d3f1a9c0b7e4d2f6a5c1e0b9d8f7a6c'];
  const record = parseLine('<13>Dec  3 19:10:01 WIN2K8-FR01 MSWinEventLog\t' +
    payload('\t', fields));
  t.equal(record.fields.trailer, '8d3f1a9c0b7e4d2f6a5c1e0b9d8f7a6c');
  t.equal(record.fields.trailer_kind, 'md5');
  t.equal(record.fields.expanded, 'An account was successfully logged on.');
});

t.test('Snare optional NAME=VALUE fields after the trailer are kept apart', async (t) => {
  const fields = [...LOGON, 'EventSourceId=AU_123'];
  const record = parseLine(`WIN2K8-FR01\tMSWinEventLog\t${payload('\t', fields)}`);
  t.equal(record.fields.trailer, '1873');
  t.strictSame(record.fields.optional_fields, ['EventSourceId=AU_123']);
  t.equal(record.fields.expanded, 'An account was successfully logged on.');
});

t.test('Snare without data and trailer keeps the expanded text', async (t) => {
  const fields = [...LOGON.slice(0, 11), 'A process has exited.'];
  const record = parseLine(`Test_Host\tMSWinEventLog\t${payload('\t', fields)}`);
  t.equal(record.format, 'snare');
  t.equal(record.fields.expanded, 'A process has exited.');
  t.equal(record.fields.data, null);
  t.equal(record.fields.snare_incomplete, true);
});

t.test('Snare split by syslog-ng into RFC 5424 APP-NAME and MSG is rebuilt', async (t) => {
  const line = `WIN2K8-FR01\tMSWinEventLog\t${payload('\t')}`;
  const space = line.indexOf(' ');
  const record = parseLine(`<13>1 2026-12-03T13:03:06-05:00 127.0.0.1 ${line.slice(0, space)}` +
    ` - - - ${line.slice(space + 1)}`);
  t.equal(record.format, 'snare');
  t.equal(record.hostname, '127.0.0.1');
  t.equal(record.appName, 'MSWinEventLog');
  t.equal(record.message, payload('\t'));
  t.equal(record.timestamp?.toISOString(), '2026-12-03T18:03:06.000Z');
  t.strictSame(record.fields, { hostname_in_payload: 'WIN2K8-FR01', ...logonFields('\t') });
});

t.test('Snare split by rsyslog SyslogProtocol23, whose MSG keeps the space, gets one space back',
  async (t) => {
    // The bytes rsyslog 8.2302 forwards for a Snare line with a syslog header (interop suite).
    const record = parseLine('<13>1 2026-12-03T19:10:01+00:00 WIN2K8-FR01 ' +
      'MSWinEventLog#0111#011Security#0112051#011Thu - - -  Dec 03 18:58:11 2026#011' +
      `${payload('#011', LOGON.slice(4))}`);
    t.equal(record.format, 'snare');
    t.equal(record.hostname, 'WIN2K8-FR01');
    t.equal(record.message, payload('#011'));
    t.strictSame(record.fields, logonFields('#011'));
  });

t.test('RFC 5424 with APP-NAME MSWinEventLog and a Snare payload is Snare', async (t) => {
  const record = parseLine(`<13>1 2026-12-03T19:02:01Z DC1 MSWinEventLog - - - ${payload('\t')}`);
  t.equal(record.format, 'snare');
  t.equal(record.hostname, 'DC1');
  t.strictSame(record.fields, logonFields('\t'));
});

t.test('RFC 5424 with APP-NAME MSWinEventLog and plain text stays RFC 5424', async (t) => {
  const record = parseLine('<37>1 2026-12-03T19:02:01+01:00 DC1 MSWinEventLog - - -  Ouverture');
  t.equal(record.format, 'rfc5424');
  t.equal(record.message, ' Ouverture');
});

t.test('a message that only mentions MSWinEventLog is not Snare', async (t) => {
  const record = parseLine('<13>Dec  3 19:00:00 host1 restarted MSWinEventLog collection');
  t.equal(record.format, 'rfc3164');
  t.equal(record.message, 'restarted MSWinEventLog collection');
  t.strictSame(record.fields, {});
});

t.test('a Snare marker without a Snare payload stays RFC 3164', async (t) => {
  const record = parseLine('<13>Dec  3 19:00:00 host1 MSWinEventLog\tnot\ta\tpayload');
  t.equal(record.format, 'rfc3164');
  t.equal(record.message, 'MSWinEventLog\tnot\ta\tpayload');
});

const snare003 = loadCorpus().find((entry) => entry.id === 'snare-003');
const snare003Bytes = Buffer.from(snare003?.raw_b64 ?? '', 'base64');

t.test('snare-003: French windows-1252 text decodes é, è and ’', async (t) => {
  const record = parseLine(snare003Bytes);
  t.equal(record.fields.encoding, 'windows-1252');
  t.equal(record.fields.user, 'CORP\\hélène');
  t.equal(record.fields.category, 'Ouverture de session');
  t.equal(record.fields.expanded, 'Ouverture de session réussie.  Type d’ouverture de session' +
    ' : 3  Nom du compte : hélène  Domaine du compte : CORP');
});

t.test('snare-003 with € and œ in windows-1252 decodes them too', async (t) => {
  const marker = snare003Bytes.indexOf('CORP\t');
  const euroAndOeuvre = Buffer.from([0x80, 0x20, 0x9c, 0x75, 0x76, 0x72, 0x65, 0x20]);
  const bytes = Buffer.concat([snare003Bytes.subarray(0, marker), euroAndOeuvre,
    snare003Bytes.subarray(marker)]);
  const record = parseLine(bytes);
  t.equal(record.format, 'snare');
  t.match(record.fields.expanded, /: € œuvre CORP$/);
  t.equal(record.fields.trailer, '5520');
});
