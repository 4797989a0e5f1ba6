// The scenarios of `npm run bench` (issue #7). Each one names the load (transport, framing,
// connections, rate, message mix, hosts), what is written (archive layout, SQL engine), the
// systems that take part, and its size as a function of --messages (`base`) and --quick.
//
// `messages(size)` is the number of measured messages; `size` is { base, quick }.

const PEERS = ['logharbor', 'rsyslog', 'syslog-ng'];

const udpAtRate = (rate, label) => ({
  id: `udp-${label}`,
  title: `UDP at ${label} msg/s into archive + SQLite (logharbor's default config)`,
  transport: 'udp', rate, connections: 1, framing: 'lf', mix: 'mixed', hosts: 50,
  archive: 'hosts', sql: 'sqlite',
  systems: [...PEERS, 'node'],
  // At a fixed rate the size sets the duration: 10 s at 20,000/s for the default base.
  messages: ({ base }) => base,
});

export const SCENARIOS = [
  udpAtRate(20_000, '20k'),
  udpAtRate(50_000, '50k'),
  udpAtRate(0, 'max'),
  {
    ...udpAtRate(null, 'zero-loss'),
    id: 'udp-zero-loss',
    title: 'UDP into archive + SQLite: the highest rate with zero loss (bisection)',
    // Each step is a run of `seconds` at one rate (bench/lib/rate-search.mjs); 7 steps find
    // the rate within about 10 % between 10,000/s and 320,000/s.
    search: { fromRate: 10_000, toRate: 320_000, seconds: 5, steps: 7 },
    messages: () => 0,
    quick: { search: { fromRate: 10_000, toRate: 80_000, seconds: 1, steps: 3 } },
    rounds: 1,
  },
  {
    id: 'tcp-mariadb',
    title: 'TCP (4 connections, LF) into archive + MariaDB, every system writing the same table',
    transport: 'tcp', rate: 0, connections: 4, framing: 'lf', mix: 'rfc3164', hosts: 50,
    archive: 'hosts', sql: 'mariadb',
    systems: [...PEERS, 'mysql2'],
    messages: ({ base }) => base,
  },
  {
    id: 'tcp-file',
    title: 'TCP (4 connections, LF) into the archive only, one file',
    transport: 'tcp', rate: 0, connections: 4, framing: 'lf', mix: 'mixed', hosts: 50,
    archive: 'file', sql: null,
    systems: [...PEERS, 'node'],
    messages: ({ base }) => base * 2.5,
  },
  {
    id: 'tcp-octet',
    title: 'TCP (4 connections, octet counting) into the archive only, one file',
    transport: 'tcp', rate: 0, connections: 4, framing: 'octet', mix: 'mixed', hosts: 50,
    archive: 'file', sql: null,
    systems: PEERS,
    messages: ({ base }) => base,
  },
  {
    id: 'tcp-hosts',
    title: 'TCP (4 connections, LF) from 100 hosts into the archive only, a file per host',
    transport: 'tcp', rate: 0, connections: 4, framing: 'lf', mix: 'rfc3164', hosts: 100,
    archive: 'hosts', sql: null,
    systems: PEERS,
    messages: ({ base }) => base * 2.5,
  },
  {
    id: 'tcp-1000',
    title: '1,000 concurrent TCP connections (LF) into the archive only, one file',
    transport: 'tcp', rate: 0, connections: 1000, framing: 'lf', mix: 'mixed', hosts: 1000,
    archive: 'file', sql: null,
    // Every connection comes from 127.0.0.1: lift logharbor's caps (100 a sender, 1,000 in all)
    // as a site whose 1,000 senders share one address would.
    logharborArgs: ['--max-connections', '2000', '--max-connections-per-sender', '2000'],
    systems: PEERS,
    messages: ({ base }) => base,
  },
  {
    id: 'hosts-100k',
    title: '100,000 distinct hosts over TCP into a file per host (file handles)',
    transport: 'tcp', rate: 0, connections: 4, framing: 'lf', mix: 'rfc3164', hosts: 100_000,
    archive: 'hosts', sql: null,
    systems: PEERS,
    // One message per host: 100,000 files created, far more than any system keeps open
    // (logharbor's --archive-max-open 256, rsyslog's dynaFileCacheSize 100; syslog-ng keeps
    // every file open until time-reap(), up to the process's descriptor limit). One round:
    // creating 100,000 directories and files takes a minute or more per system.
    messages: () => 100_000,
    quick: { hosts: 5_000, messages: () => 5_000 },
    rounds: 1,
  },
  {
    id: 'db-outage',
    title: 'MariaDB SIGKILLed mid-run and restarted: spool, then drain rate',
    transport: 'tcp', rate: 20_000, connections: 4, framing: 'lf', mix: 'rfc3164', hosts: 50,
    archive: 'hosts', sql: 'mariadb',
    // The peers with their answers to an outage: rsyslog a disk-assisted action queue,
    // syslog-ng a reliable disk-buffer() (bench/lib/peer-configs.mjs).
    systems: PEERS,
    // 15 s of traffic, a 60 s outage, 15 s more: the memory bound is for 60 s at
    // 20,000/s.
    outage: { beforeS: 15, downS: 60, afterS: 15 },
    messages: () => 20_000 * 90,
    quick: { rate: 5_000, outage: { beforeS: 3, downS: 6, afterS: 3 }, messages: () => 60_000 },
    rounds: 1,
  },
];

/** The scenario as run: its quick variant applied when `quick`. */
export function sized(scenario, size) {
  const variant = size.quick && scenario.quick ? { ...scenario, ...scenario.quick } : scenario;
  return { ...variant, count: Math.round(variant.messages(size)) };
}
