import t from 'tap';
import { performance } from 'node:perf_hooks';
import { RECORD_FORMATS, type LogRecord } from '../../src/record.js';
import { loadCorpus, newChain, parseLine } from '../helpers/corpus.js';

/** mulberry32: a 32-bit seeded PRNG, so every run feeds the chain the same inputs. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = 0x5eed2026;
const RANDOM_INPUTS = 8000;
const MUTATED_INPUTS = 12000;
/** Bytes that the grammars give a meaning to, so mutations hit the parsers' branches. */
const SPECIAL = ['\t', '#011', ': %', ': ', '[', ']', '"', '\\', '<', '>', ' ', '-', '*',
  '\uFEFF', 'MSWinEventLog', 'OpenERP Server ', '%SYS-5-X: ', '<13>', '1 ', '\u0000', '\n']
  .map((text) => Buffer.from(text, 'utf8'));

const random = mulberry32(SEED);
const pick = (count: number): number => Math.floor(random() * count);
const seeds = loadCorpus().map((entry) => Buffer.from(entry.raw_b64, 'base64'))
  .filter((bytes) => bytes.length > 0 && bytes.length < 8192);

function randomBytes(): Buffer {
  const bytes = Buffer.alloc(pick(300));
  for (let index = 0; index < bytes.length; index += 1) bytes[index] = pick(256);
  return bytes;
}

/** One to four edits of a corpus frame: flip, insert a special, cut, or repeat a slice. */
function mutate(seed: Buffer): Buffer {
  let bytes = Buffer.from(seed);
  for (let edit = 0; edit <= pick(4); edit += 1) {
    const at = pick(bytes.length + 1);
    const choice = pick(4);
    if (choice === 0 && bytes.length > 0) bytes[Math.min(at, bytes.length - 1)] = pick(256);
    else if (choice === 1) {
      bytes = Buffer.concat([bytes.subarray(0, at), SPECIAL[pick(SPECIAL.length)],
        bytes.subarray(at)]);
    } else if (choice === 2) bytes = bytes.subarray(0, at);
    else bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(pick(bytes.length + 1))]);
  }
  return bytes;
}

function checkRecord(record: LogRecord): string | null {
  if (!RECORD_FORMATS.includes(record.format)) return `format ${record.format}`;
  if (typeof record.message !== 'string') return 'message is not text';
  if (record.facility < 0 || record.facility > 23) return `facility ${record.facility}`;
  if (record.severity < 0 || record.severity > 7) return `severity ${record.severity}`;
  if (record.timestamp !== null && Number.isNaN(record.timestamp.getTime())) return 'bad date';
  JSON.stringify(record.fields);
  return null;
}

t.test('the chain never throws and always returns a known format (seeded fuzz)', async (t) => {
  const chain = newChain('Europe/Paris', 64);
  const failures: string[] = [];
  const inputs = RANDOM_INPUTS + MUTATED_INPUTS;
  for (let index = 0; index < inputs && failures.length < 5; index += 1) {
    const frame = index < RANDOM_INPUTS ? randomBytes() : mutate(seeds[pick(seeds.length)]);
    try {
      const problem = checkRecord(parseLine(frame, { chain }));
      if (problem !== null) failures.push(`${problem}: ${frame.toString('base64')}`);
    } catch (error) {
      failures.push(`${String(error)}: ${frame.toString('base64')}`);
    }
  }
  t.strictSame(failures, [], `${inputs} inputs, seed ${SEED.toString(16)}`);
});

const RUN = 100 * 1024;
const PATHOLOGICAL: Array<[string, string]> = [
  ['brackets', '['.repeat(RUN)],
  ['quotes', '"'.repeat(RUN)],
  ['backslashes', '\\'.repeat(RUN)],
  ['angle brackets', '<'.repeat(RUN)],
  ['digits', '7'.repeat(RUN)],
  ['percent signs', '%'.repeat(RUN)],
  ['tabs', '\t'.repeat(RUN)],
  ['colon-spaces', ': '.repeat(RUN / 2)],
  ['SD elements', `<13>1 - h a - - ${'[a x="1"]'.repeat(RUN / 9)}`],
  ['open SD value', `<13>1 - h a - - [a x="${'\\"'.repeat(RUN / 2)}`],
  ['Snare tabs', `<13>Dec  3 19:00:00 h MSWinEventLog\t1${'\t'.repeat(RUN)}`],
  ['Snare fields',
    `h\tMSWinEventLog\t1\tSecurity\t1\t${'Thu Dec 03 18:58:11 2026\t'.repeat(4000)}`],
  ['Snare spaces', `h MSWinEventLog 1 ${'Security '.repeat(RUN / 9)}`],
  ['Cisco counters', `<189>${'1: '.repeat(RUN / 3)}%SYS-5-X: y`],
  ['Cisco stamps', `<189>1: ${'*Mar  1 00:01:02: '.repeat(5000)}%SYS-5-X: y`],
  ['OpenERP colons', `<14>Dec  3 19:00:00 vm OpenERP Server ${':'.repeat(RUN)}`],
  ['OpenERP brackets', `<14>Dec  3 19:00:00 vm oe: [2026-12-03 18:02:44,357][${']'.repeat(RUN)}`],
  ['BSD stamps', `<13>${'Dec  3 19:00:00 '.repeat(6000)}`],
];

/**
 * A liveness guard, not a speed test (speed is the parse benchmark's): linear parsing of
 * 100 KB takes about a millisecond, catastrophic backtracking minutes, so one second
 * separates them on any machine, however loaded.
 */
const HANG_MS = 1000;

for (const [name, text] of PATHOLOGICAL) {
  t.test(`100 KB of ${name} parses without catastrophic backtracking`, async (t) => {
    const frame = Buffer.from(text, 'utf8');
    const chain = newChain();
    parseLine(frame, { chain });
    const started = performance.now();
    const record = parseLine(frame, { chain });
    const elapsed = performance.now() - started;
    t.ok(RECORD_FORMATS.includes(record.format), record.format);
    t.ok(elapsed < HANG_MS, `${elapsed.toFixed(2)} ms`);
  });
}
