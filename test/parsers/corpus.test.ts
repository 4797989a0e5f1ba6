import t from 'tap';
import { expectations, loadCorpus, project, runCase } from '../helpers/corpus.js';

const CORE_KINDS = new Set(['rfc3164', 'rfc5424', 'framing', 'rsyslog', 'syslog-ng']);

for (const corpusCase of loadCorpus().filter((entry) => CORE_KINDS.has(entry.kind))) {
  t.test(`corpus ${corpusCase.id} parses as expected`, async (t) => {
    const run = runCase(corpusCase);
    const expected = expectations(corpusCase);
    t.equal(run.records.length, expected.length, 'one record per expected message');

    expected.forEach((expect, index) => {
      const record = run.records[index];
      if (record === undefined) return;
      const { actual, expected: wanted } = project(record, expect);
      t.same(actual, wanted, `message ${index + 1}`);
    });
  });
}
