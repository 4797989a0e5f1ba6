// Parser benchmark: logharbor's ParserChain next to nsyslog-parser and glossy on the same
// mixed lines (RFC 3164, RFC 5424, Snare, Cisco, OpenERP, taken from the public corpus), fed
// as Buffers the way receivers hand frames over. Run with `npm run bench:parse` (it builds
// first). Environment: LINES (per round, 1,000,000), ROUNDS (5), ONLY=name[,name].
//
// Each library is also checked on those lines: host, app, pid, message, facility, severity
// against the values DESIGN.md §3 gives them (a Snare message is the payload after
// `MSWinEventLog`, a Cisco line has no program), so speed is shown next to correctness.
//
// Every round of every library runs in a process of its own, rounds taken in turn (round 1 of
// each library, then round 2, ...): a library measured after another in one process would meet
// call sites the other made polymorphic, and drift of this shared machine hits all alike.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { ParserChain } from '../dist/src/parsers/chain.js';
import { ZoneClock } from '../dist/src/zone-clock.js';

const require = createRequire(import.meta.url);
const LINES_PER_ROUND = Number(process.env.LINES ?? 1_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const ONLY = process.env.ONLY?.split(',') ?? null;
const WARMUP = 200_000;
/** Set in the child processes: the library whose round to run. */
const ROUND_OF = process.env.PARSE_BENCH_ROUND_OF;

/** The mix: ids from the corpus, with the kind each stands for. */
const MIX = [
  ['rfc3164-007', 'RFC 3164'], ['rsyslog-001', 'RFC 3164'], ['rfc3164-013', 'RFC 3164'],
  ['rfc3164-017', 'RFC 3164'], ['rfc3164-011', 'RFC 3164'], ['syslog-ng-002', 'RFC 3164'],
  ['rfc5424-010', 'RFC 5424'], ['rfc5424-014', 'RFC 5424'], ['syslog-ng-004', 'RFC 5424'],
  ['snare-007', 'Snare'], ['snare-009', 'Snare'],
  ['cisco-002', 'Cisco'], ['cisco-007', 'Cisco'],
  ['openerp-003', 'OpenERP'], ['openerp-015', 'OpenERP'], ['openerp-060', 'OpenERP'],
];

const corpusUrl = new URL('../test/fixtures/corpus-public.jsonl', import.meta.url);
const corpus = new Map(readFileSync(corpusUrl, 'utf8').split('\n').filter(Boolean)
  .map((line) => JSON.parse(line)).map((entry) => [entry.id, entry]));

const lines = MIX.map(([id, kind]) => {
  const entry = corpus.get(id);
  const expect = Array.isArray(entry.expect) ? entry.expect[0] : entry.expect;
  const raw = Buffer.from(expect.frame_b64 ?? entry.raw_b64, 'base64');
  const frame = raw.at(-1) === 0x0a ? raw.subarray(0, -1) : raw;
  return { id, kind, frame, expected: expectedRow(expect, kind) };
});

/** host, app, pid, message, facility, severity as DESIGN.md §3 fills the row. */
function expectedRow(expect, kind) {
  const ambiguous = new Set(expect.ambiguous ?? []);
  let message = ambiguous.has('message') ? expect.raw_msg : expect.message;
  if (kind === 'Snare') message = message.replace(/^MSWinEventLog[\t|]/, '');
  return {
    host: expect.hostname ?? null,
    app: ambiguous.has('app_name') || kind === 'Cisco' ? null : expect.app_name ?? null,
    pid: ambiguous.has('procid') ? null : expect.procid ?? null,
    message: message ?? '',
    facility: expect.facility,
    severity: expect.severity,
  };
}

const meta = { sourceIp: '192.0.2.10', sourcePort: 514, transport: 'udp',
  listener: 'udp://0.0.0.0:514', receivedAt: new Date('2026-12-03T19:30:00Z') };

const libraries = [
  {
    name: 'logharbor',
    version: JSON.parse(readFileSync(new URL('../package.json', import.meta.url))).version,
    create: () => {
      const chain = new ParserChain({ clock: new ZoneClock('UTC') });
      return (frame) => chain.parse(frame, meta);
    },
    row: (r) => ({ host: r.hostname, app: r.appName, pid: r.procId, message: r.message,
      facility: r.facility, severity: r.severity }),
  },
  {
    name: 'nsyslog-parser',
    version: packageVersion('nsyslog-parser'),
    create: () => {
      const parse = require('nsyslog-parser');
      return (frame) => parse(frame.toString('utf8'));
    },
    row: (r) => ({ host: r.host, app: r.appName, pid: r.pid, message: r.message,
      facility: r.facilityval, severity: r.levelval }),
  },
  {
    name: 'glossy',
    version: packageVersion('glossy'),
    create: () => {
      const { Parse } = require('glossy');
      return (frame) => Parse.parse(frame.toString('utf8'));
    },
    row: (r) => ({ host: r.host, app: r.appName, pid: r.pid, message: r.message,
      facility: r.facilityID, severity: r.severityID }),
  },
].filter((library) => ONLY === null || ONLY.includes(library.name));

function packageVersion(name) {
  return JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version;
}

/** Fields a library got wrong on the mix, each as `id field`. */
function wrongFields(library, parse) {
  const wrong = [];
  for (const line of lines) {
    let row = {};
    try {
      row = library.row(parse(line.frame) ?? {});
    } catch {
      row = {};
    }
    for (const [field, value] of Object.entries(line.expected)) {
      if (!sameValue(row[field], value)) wrong.push(`${line.id} ${field}`);
    }
  }
  return wrong;
}

function sameValue(got, expected) {
  const absent = got === undefined || got === null || got === '' || got === '-';
  if (expected === null) return absent;
  if (typeof expected === 'number') return got === expected;
  return !absent && String(got).replace(/^\uFEFF/, '').trim() === expected.trim();
}

/** Lines per second over LINES_PER_ROUND frames taken in turn, after a warm-up. */
function linesPerSecond(parse, frames) {
  let sink = 0;
  for (let index = 0; index < WARMUP; index += 1) {
    if (parse(frames[index % frames.length])) sink += 1;
  }
  const started = performance.now();
  for (let index = 0; index < LINES_PER_ROUND; index += 1) {
    if (parse(frames[index % frames.length])) sink += 1;
  }
  return { rate: LINES_PER_ROUND / ((performance.now() - started) / 1000), sink };
}

/** Microseconds per KiB for an RFC 3164 line whose message is `size` bytes of text. */
function microsPerKiB(parse, size) {
  const header = '<13>Dec  3 19:00:00 host1 app[42]: ';
  const frame = Buffer.from(header + 'lorem ipsum dolor sit amet, '.repeat(size / 28 + 1))
    .subarray(0, size);
  const iterations = Math.max(200, Math.floor(50_000_000 / size));
  for (let index = 0; index < iterations / 10; index += 1) parse(frame);
  const started = performance.now();
  for (let index = 0; index < iterations; index += 1) parse(frame);
  return ((performance.now() - started) * 1000) / iterations / (size / 1024);
}

/** One round of one library, in this (child) process: its figures as a JSON line. */
function runRound(library) {
  const parse = library.create();
  const figures = { mix: linesPerSecond(parse, allFrames).rate,
    bsd: linesPerSecond(parse, bsdFrames).rate,
    small: microsPerKiB(parse, 1024), large: microsPerKiB(parse, 64 * 1024) };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

function roundInChild(library) {
  const output = execFileSync(process.execPath, [new URL(import.meta.url).pathname],
    { env: { ...process.env, PARSE_BENCH_ROUND_OF: library.name }, encoding: 'utf8' });
  return JSON.parse(output);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const allFrames = lines.map((line) => line.frame);
const bsdFrames = lines.filter((line) => line.kind === 'RFC 3164').map((line) => line.frame);

function report() {
  const kinds = [...new Set(MIX.map(([, kind]) => kind))].join(', ');
  process.stdout.write(`node ${process.version}, ${lines.length} lines (${kinds}), ` +
    `${ROUNDS} interleaved rounds x ${LINES_PER_ROUND.toLocaleString('en')} lines, ` +
    'medians\n\n');
  const rounds = new Map(libraries.map((library) => [library, []]));
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const library of libraries) rounds.get(library).push(roundInChild(library));
  }
  const results = libraries.map((library) => summarize(library, rounds.get(library)));
  printTable(results);
  printRatios(results);
}

function summarize(library, figures) {
  const of = (key) => median(figures.map((figure) => figure[key]));
  return { library, wrong: wrongFields(library, library.create()), mix: of('mix'),
    bsd: of('bsd'), small: of('small'), large: of('large') };
}

function printTable(results) {
  const header = ['library', 'mix lines/s', '3164 lines/s', 'wrong fields', 'µs/KiB @1 KiB',
    'µs/KiB @64 KiB'];
  process.stdout.write(`${header[0].padEnd(24)}${header.slice(1).map((h) => h.padStart(16))
    .join('')}\n`);
  for (const result of results) {
    const cells = [Math.round(result.mix).toLocaleString('en'),
      Math.round(result.bsd).toLocaleString('en'), `${result.wrong.length}/${lines.length * 6}`,
      result.small.toFixed(2), result.large.toFixed(2)];
    process.stdout.write(`${`${result.library.name}@${result.library.version}`.padEnd(24)}` +
      `${cells.map((cell) => cell.padStart(16)).join('')}\n`);
  }
}

function printRatios(results) {
  const own = results.find((result) => result.library.name === 'logharbor');
  for (const result of results.filter((entry) => entry !== own && own !== undefined)) {
    process.stdout.write(`\nlogharbor / ${result.library.name}: ` +
      `${(own.mix / result.mix).toFixed(2)}x mix lines/s`);
  }
  process.stdout.write('\n');
  for (const result of results.filter((entry) => entry.wrong.length > 0)) {
    process.stdout.write(`\n${result.library.name} wrong: ${result.wrong.join(', ')}\n`);
  }
}

if (ROUND_OF === undefined) report();
else runRound(libraries.find((library) => library.name === ROUND_OF));
