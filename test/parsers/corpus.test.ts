import t from 'tap';
import { ParserChain } from '../../src/parsers/chain.js';
import { ZoneClock } from '../../src/zone-clock.js';
import { stripTerminator } from '../../src/receiver/framing.js';
import {
  expectations, loadCorpus, project, runCase, type CaseRun, type CorpusCase, type Expectation,
  type Projection,
} from '../helpers/corpus.js';

/**
 * Where the collector deliberately departs from a corpus expectation: the keys replaced, and
 * why (each is listed in the hand-over report of issue 3).
 */
const DEPARTURES: Record<string, { patch: Expectation; why: string }> = {
  'syslog-ng-012': {
    patch: {
      app_name: 'MSWinEventLog',
      message: 'MSWinEventLog\t1\tSecurity\t2051\tThu Dec 03 18:58:11 2026\t4624\t' +
        'Microsoft-Windows-Security-Auditing\tCORP\\\\jdupont\tN/A\tSuccess Audit\t' +
        'WIN2K8-FR01.corp.example\tLogon\t\tAn account was successfully logged on.\t1873',
      fields: { criticality: 1, event_log: 'Security', snare_counter: 2051, event_id: 4624,
        computer: 'WIN2K8-FR01.corp.example', expanded: 'An account was successfully logged on.',
        datetime: 'Thu Dec 03 18:58:11 2026', trailer: '1873',
        hostname_in_payload: 'WIN2K8-FR01' },
    },
    why: 'DESIGN.md §3 recognises Snare inside any envelope, and a Snare record has program ' +
      'MSWinEventLog and the payload as msg: syslog-ng split the native line at its first ' +
      'space, and APP-NAME + SP + MSG rebuilds it',
  },
};

/**
 * Expectation keys that are not compared, and why. Every other key of every case must be
 * compared: the test named "every expectation key is compared or listed" checks it.
 */
const NOT_COMPARED: Record<string, string> = {
  must_not_crash: 'every case is parsed; a throw fails its test',
  received_at: 'an input, not a result: runCase receives the case at that time',
  year: 'compared through timestamp_local, which carries the year exactly when one was sent',
  tz: 'stamps without a zone are read in the test zone (UTC); Cisco labels are fields.tz',
  timestamp_reliable: 'the Cisco clock flag that says so is compared as fields.clock_flag',
  timestamp_resolved: 'prose; the resolved stamp is compared as timestamp_local',
  year_rule: 'prose; the rule is what timestamp_local checks',
  lenient_value: 'DESIGN.md §3 uses the receive time for an invalid stamp, not a lenient read',
  store_note: 'prose',
  store: 'prose for accept: false, which is compared as "no record"',
  path_safe_hostname_required: 'archive path safety is the archive sink\'s (test/sinks)',
  original_line: 'prose: the indentation rsyslog removed cannot be recovered',
  app_name_invalid: 'syslog-ng-012 is read as Snare, whose program is MSWinEventLog',
  'fields.note': 'prose',
  'fields.timestamp_local': 'the same value as the top-level timestamp_local, compared there',
};

/** Cases whose expectation names no format although DESIGN.md §3 gives them one. */
const FORMATS: Record<string, string> = {
  'syslog-ng-007': 'cisco',
  'framing-008': 'openerp',
};

const corpus = loadCorpus();
/** Per message of every case: the expectation keys it left uncompared (see NOT_COMPARED). */
const uncompared = new Map<string, string[]>();

for (const corpusCase of corpus) {
  t.test(`corpus ${corpusCase.id} parses as expected`, async (t) => {
    const run = runCase(corpusCase, { chain: chainAfterPredecessors(corpusCase) });
    const expected = expectations(corpusCase).map((expect) => withDepartures(corpusCase, expect));
    t.equal(run.records.length, expected.length, 'one record per expected message');

    if (!Array.isArray(corpusCase.expect) && corpusCase.expect.accept === false) {
      t.equal(run.emptyFrames, 1, 'an empty datagram is counted, not parsed');
    }

    expected.forEach((expect, index) => {
      const record = run.records[index];
      if (record === undefined) return;
      const { actual, expected: wanted, checked } = project(record, expect, corpusCase.kind);
      const format = FORMATS[corpusCase.id];
      if (format !== undefined) {
        wanted.format = format;
        actual.format = record.format;
      }
      projectFrame(run, index, expect, { actual, expected: wanted, checked });
      t.same(actual, wanted, `message ${index + 1}`);
      uncompared.set(`${corpusCase.id} #${index + 1}`, uncomparedKeys(expect, checked));
    });
  });
}

/** The frame as the framer cut it, and a flagged truncation of an oversized one. */
function projectFrame(run: CaseRun, index: number, expect: Expectation,
  projection: Projection): void {
  const record = run.records[index];
  if (typeof expect.frame_b64 === 'string') {
    projection.expected.frame = stripTerminator(Buffer.from(expect.frame_b64, 'base64'))
      .toString('base64');
    projection.actual.frame = record.raw.toString('base64');
    projection.checked.add('frame_b64');
  }
  if (typeof expect.frame_length === 'number' && typeof expect.message_length === 'number') {
    projection.expected.truncated = { flagged: true, kept: 65536 };
    projection.actual.truncated = { flagged: run.truncated[index], kept: record.raw.length };
    for (const key of ['truncation', 'frame_length', 'message_length']) {
      projection.checked.add(key);
    }
  }
}

/** Keys of `expect` (and of its `fields`) neither compared nor listed in NOT_COMPARED. */
function uncomparedKeys(expect: Expectation, checked: Set<string>): string[] {
  const keys = Object.keys(expect).filter((key) => key !== 'accept');
  const fields = expect.fields as Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(fields ?? {})) {
    keys.push(`fields.${key}`);
    if (value !== null && typeof value === 'object') {
      keys.push(...Object.keys(value).map((inner) => `fields.${key}.${inner}`));
    }
  }
  return keys.filter((key) => !checked.has(key) && NOT_COMPARED[key] === undefined);
}


/**
 * A continuation line is one only after its OpenERP header from the same host and program:
 * the cases of its kind that precede it in the corpus run first through the same chain, as
 * the stream they were captured from would.
 */
function chainAfterPredecessors(corpusCase: CorpusCase): ParserChain | undefined {
  const continues = expectations(corpusCase).some((expect) =>
    (expect.fields as Record<string, unknown> | undefined)?.format === 'continuation');
  if (!continues) return undefined;

  const chain = new ParserChain({ clock: new ZoneClock('UTC') });
  const at = corpus.indexOf(corpusCase);
  for (const earlier of corpus.slice(0, at).filter((entry) => entry.kind === corpusCase.kind)) {
    runCase(earlier, { chain });
  }
  return chain;
}

function withDepartures(corpusCase: CorpusCase, expect: Expectation): Expectation {
  const departure = DEPARTURES[corpusCase.id];
  if (departure === undefined) return expect;
  const fields = departure.patch.fields === undefined ? expect.fields : departure.patch.fields;
  const patched: Expectation = { ...expect, ...departure.patch, fields };
  if (departure.patch.message !== undefined) {
    patched.ambiguous = ((expect.ambiguous as string[] | undefined) ?? [])
      .filter((key) => key !== 'message' && key !== 'app_name');
  }
  return patched;
}

t.test('every expectation key is compared or listed with a reason', async (t) => {
  const missed = [...uncompared].filter(([, keys]) => keys.length > 0);
  t.strictSame(missed, []);
  t.equal(uncompared.size, corpus.reduce((sum, entry) => sum + expectations(entry).length, 0));
});

t.test('every corpus departure names a case that exists', async (t) => {
  const ids = new Set(corpus.map((entry) => entry.id));
  for (const id of [...Object.keys(DEPARTURES), ...Object.keys(FORMATS)]) {
    t.ok(ids.has(id), id);
  }
});
