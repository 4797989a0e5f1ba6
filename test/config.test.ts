import { hostname } from 'node:os';
import t from 'tap';
import { ConfigError, resolveConfig, type ResolvedConfig } from '../src/config.js';
import { autoParseThreads } from '../src/pipeline/parse-threads.js';
import { systemTimeZone } from '../src/zone-clock.js';

interface Sources {
  flags?: Record<string, unknown>;
  env?: Record<string, string>;
  /** Config files by path. */
  files?: Record<string, string>;
}

function resolve(sources: Sources = {}): ResolvedConfig {
  const files = sources.files ?? {};
  return resolveConfig({
    flags: sources.flags ?? {},
    env: sources.env ?? {},
    readFile: (path) => {
      const text = files[path];
      if (text === undefined) throw new Error(`ENOENT: no such file, open '${path}'`);
      return text;
    },
  });
}

/** The ConfigError a set of sources is refused with, as code and message. */
function refusal(sources: Sources): { code: string; message: string } | null {
  try {
    resolve(sources);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { code: error.code, message: error.message };
  }
  return null;
}

function refused(message: string): { code: string; message: string } {
  return { code: 'LH_INVALID_CONFIG', message };
}

const ANY_V4_514 = { host: '0.0.0.0', port: 514, family: 4, text: '0.0.0.0:514' };

t.test('no flags, environment or file gives the documented defaults', async (t) => {
  t.strictSame(resolve().config, {
    udp: [ANY_V4_514],
    tcp: [ANY_V4_514],
    http: { host: '127.0.0.1', port: 9514, family: 4, text: '127.0.0.1:9514' },
    db: {
      url: 'sqlite:./data/logs.sqlite',
      target: { engine: 'sqlite', filename: './data/logs.sqlite' },
    },
    dbPassword: null,
    migrate: 'auto',
    archive: './data/archive',
    archivePath: '{host}/{date}.log',
    archiveFormat: 'line',
    spool: './data/spool',
    maxMessageSize: 65536,
    queueSize: 100000,
    shutdownTimeoutMs: 10000,
    timezone: systemTimeZone(),
    hostFrom: 'header',
    parseThreads: autoParseThreads(),
    instance: hostname(),
    logLevel: 'info',
    dbPasswordFile: null,
    batchSize: 1000,
    flushIntervalMs: 200,
    spoolMaxBytes: 1024 ** 3,
    rotateSizeBytes: 100 * 1024 ** 2,
    retainDays: 30,
    compress: 'gzip',
    archiveMaxOpen: 256,
    archiveFsync: 'interval',
    archiveMode: 0o640,
    readyGraceMs: 60000,
    watchHosts: [],
    tls: [],
    tlsCert: null,
    tlsKey: null,
    tlsCa: null,
    tlsClientAuth: 'none',
    tlsPeers: [],
    allow: [],
    maxConnections: 1000,
    maxConnectionsPerSender: 100,
    idleTimeoutMs: 0,
    rateLimit: 0,
    rateBurst: 0,
    user: null,
    group: null,
  });
});

t.test('the effective config lists every built option', async (t) => {
  t.strictSame(resolve().effective, {
    udp: ['0.0.0.0:514'],
    tcp: ['0.0.0.0:514'],
    http: '127.0.0.1:9514',
    db: 'sqlite:./data/logs.sqlite',
    migrate: 'auto',
    archive: './data/archive',
    'archive-path': '{host}/{date}.log',
    'archive-format': 'line',
    spool: './data/spool',
    'max-message-size': '65536',
    'queue-size': '100000',
    timezone: systemTimeZone(),
    'host-from': 'header',
    'parse-threads': 'auto',
    'shutdown-timeout': '10',
    instance: hostname(),
    'log-level': 'info',
    'db-password-file': null,
    'batch-size': '1000',
    'flush-interval': '200',
    'spool-max': '1GB',
    'rotate-size': '100MB',
    'retain-days': '30',
    compress: 'gzip',
    'archive-max-open': '256',
    'archive-fsync': 'interval',
    'archive-mode': '0640',
    'ready-grace': '60',
    'watch-host': null,
    tls: ['none'],
    'tls-cert': null,
    'tls-key': null,
    'tls-ca': null,
    'tls-client-auth': 'none',
    'tls-peer': null,
    allow: null,
    'max-connections': '1000',
    'max-connections-per-sender': '100',
    'idle-timeout': '0',
    'rate-limit': '0',
    'rate-burst': null,
    user: null,
    group: null,
  });
});

t.test('the archive options are parsed into sizes, numbers and modes', async (t) => {
  const { config } = resolve({ flags: { 'rotate-size': '512KB', 'retain-days': '0',
    compress: 'none', 'archive-max-open': '64', 'archive-fsync': 'always',
    'archive-mode': '600', 'archive-format': 'json' } });
  t.strictSame([config.rotateSizeBytes, config.retainDays, config.compress,
    config.archiveMaxOpen, config.archiveFsync, config.archiveMode, config.archiveFormat],
  [512 * 1024, 0, 'none', 64, 'always', 0o600, 'json']);
});

t.test('an archive format other than line, json or raw is refused', async (t) => {
  t.strictSame(refusal({ flags: { 'archive-format': 'csv' } }),
    refused('Invalid --archive-format "csv": expected one of line, json, raw'));
});

t.test('an archive mode that is not octal is refused', async (t) => {
  t.strictSame(refusal({ flags: { 'archive-mode': '0648' } }),
    refused('Invalid --archive-mode "0648": expected an octal mode such as 0640'));
});

t.test('a rotate size without a number is refused', async (t) => {
  t.strictSame(refusal({ env: { LOGHARBOR_ROTATE_SIZE: 'big' } }),
    refused('Invalid --rotate-size "big": expected a size such as 512KB, 100MB or 1GB'));
});

t.test('the config is frozen', async (t) => {
  t.equal(Object.isFrozen(resolve().config), true);
});

t.test('a flag wins over the environment, the file and the default', async (t) => {
  const files = { '/etc/logharbor.json': '{"queue-size": "10"}' };
  const env = { LOGHARBOR_QUEUE_SIZE: '20', LOGHARBOR_CONFIG: '/etc/logharbor.json' };
  t.equal(resolve({ flags: { 'queue-size': '30' }, env, files }).config.queueSize, 30);
});

t.test('the environment wins over the file and the default', async (t) => {
  const files = { '/etc/logharbor.json': '{"queue-size": "10"}' };
  const env = { LOGHARBOR_QUEUE_SIZE: '20', LOGHARBOR_CONFIG: '/etc/logharbor.json' };
  t.equal(resolve({ env, files }).config.queueSize, 20);
});

t.test('the file wins over the default', async (t) => {
  const files = { '/etc/logharbor.json': '{"queue-size": 10, "timezone": "Asia/Kathmandu"}' };
  const resolved = resolve({ flags: { config: '/etc/logharbor.json' }, files });
  t.equal(resolved.config.queueSize, 10);
  t.equal(resolved.config.timezone, 'Asia/Kathmandu');
  t.equal(resolved.effective['queue-size'], '10');
});

t.test('a --config flag wins over LOGHARBOR_CONFIG', async (t) => {
  const files = { '/a.json': '{"spool": "/a"}', '/b.json': '{"spool": "/b"}' };
  const resolved = resolve({ flags: { config: '/a.json' }, env: { LOGHARBOR_CONFIG: '/b.json' },
    files });
  t.equal(resolved.config.spool, '/a');
});

t.test('a flag given as a number is read as text', async (t) => {
  t.equal(resolve({ flags: { 'queue-size': 5 } }).config.queueSize, 5);
});

t.test('a repeatable option from the environment is a comma list', async (t) => {
  const { config, effective } = resolve({ env: { LOGHARBOR_UDP: '0.0.0.0:514, [::]:514' } });
  t.strictSame(config.udp, [ANY_V4_514,
    { host: '::', port: 514, family: 6, text: '[::]:514' }]);
  t.strictSame(effective.udp, ['0.0.0.0:514', '[::]:514']);
});

t.test('a repeatable option from flags or the file may be a list', async (t) => {
  const files = { '/c.json': '{"tcp": ["127.0.0.1:1514", "[::1]:1514"]}' };
  t.strictSame(resolve({ flags: { config: '/c.json' }, files }).config.tcp.map((a) => a.text),
    ['127.0.0.1:1514', '[::1]:1514']);
  t.strictSame(resolve({ flags: { udp: ['127.0.0.1:0', '127.0.0.2:0'] } }).config.udp
    .map((a) => a.text), ['127.0.0.1:0', '127.0.0.2:0']);
});

t.test('"none" disables udp, tcp, http, db and archive', async (t) => {
  const { config } = resolve({ env: { LOGHARBOR_UDP: 'none', LOGHARBOR_TCP: 'none',
    LOGHARBOR_HTTP: 'none', LOGHARBOR_DB: 'none', LOGHARBOR_ARCHIVE: 'none' } });
  t.strictSame(config.udp, []);
  t.strictSame(config.tcp, []);
  t.equal(config.http, null);
  t.equal(config.db, null);
  t.equal(config.archive, null);
});

t.test('"none" beside a listener address is refused', async (t) => {
  t.strictSame(refusal({ flags: { udp: ['none', '0.0.0.0:514'] } }),
    refused('Invalid --udp: "none" cannot be combined with addresses'));
});

t.test('an unknown LOGHARBOR_ variable is refused', async (t) => {
  t.strictSame(refusal({ env: { LOGHARBOR_FOO: '1' } }),
    refused('Unknown environment variable LOGHARBOR_FOO: no option --foo exists ' +
      '(see logharbor --help; test settings use the LH_TEST_ prefix)'));
});

t.test('variables outside the LOGHARBOR_ prefix are ignored', async (t) => {
  t.equal(refusal({ env: { LH_TEST_PORT: '1', PATH: '/usr/bin', LOGHARBOR: 'x' } }), null);
});

t.test('LOGHARBOR_DB_PASSWORD is accepted and masked in the effective config', async (t) => {
  const { config, effective } = resolve({ env: { LOGHARBOR_DB_PASSWORD: 'hunter2' } });
  t.equal(config.dbPassword, 'hunter2');
  t.equal(effective['db-password'], '***');
  t.equal(JSON.stringify(effective).includes('hunter2'), false);
});

t.test('a password in the db URL is masked in the effective config', async (t) => {
  const { config, effective } = resolve({
    flags: { db: 'mysql://logger:s3cret@db.internal:3307/syslog' },
  });
  t.equal(effective.db, 'mysql://logger:***@db.internal:3307/syslog');
  t.strictSame(config.db?.target, { engine: 'mysql', host: 'db.internal', port: 3307,
    user: 'logger', password: 's3cret', database: 'syslog' });
});

t.test('a db URL password holding "@" is masked whole', async (t) => {
  const { config, effective } = resolve({
    flags: { db: 'mysql://root:p@ss@127.0.0.1:3306/logs' },
  });
  t.equal(config.db?.target.engine === 'mysql' && config.db.target.password, 'p@ss');
  t.equal(effective.db, 'mysql://root:***@127.0.0.1:3306/logs');
});

t.test('a db URL refused for its password does not print the password', async (t) => {
  t.strictSame(refusal({ flags: { db: 'mysql://root:a/b@127.0.0.1:3306/logs' } }),
    refused('Invalid --db "mysql://root:***@127.0.0.1:3306/logs": not a URL; use sqlite:PATH, ' +
      'mysql://USER@HOST:PORT/DATABASE or postgres://USER@HOST:PORT/DATABASE'));
});

t.test('an unknown config-file key is refused', async (t) => {
  t.strictSame(refusal({ flags: { config: '/c.json' }, files: { '/c.json': '{"port": 514}' } }),
    refused('Unknown key "port" in config file /c.json: keys are the long option names, ' +
      'e.g. "udp", "archive-path"'));
});

t.test('a config file that is not a JSON object is refused', async (t) => {
  t.strictSame(refusal({ flags: { config: '/c.json' }, files: { '/c.json': '["udp"]' } }),
    refused('Config file /c.json must hold a JSON object of option names'));
  t.strictSame(refusal({ flags: { config: '/c.json' }, files: { '/c.json': '{"udp": true}' } }),
    refused('Invalid "udp" in /c.json: expected text or a number, got true'));
});

t.test('a config file that cannot be read is refused with the reason', async (t) => {
  t.strictSame(refusal({ flags: { config: '/missing.json' } }),
    refused("Cannot read config file /missing.json: ENOENT: no such file, open '/missing.json'"));
});

t.test('queue-size "abc" is refused', async (t) => {
  t.strictSame(refusal({ flags: { 'queue-size': 'abc' } }),
    refused('Invalid --queue-size "abc": expected a whole number from 1 to 10000000'));
});

t.test('queue-size 0 is refused', async (t) => {
  t.strictSame(refusal({ env: { LOGHARBOR_QUEUE_SIZE: '0' } }),
    refused('Invalid --queue-size "0": expected a whole number from 1 to 10000000'));
});

t.test('max-message-size above 4 MiB is refused', async (t) => {
  t.strictSame(refusal({ flags: { 'max-message-size': '4194305' } }),
    refused('Invalid --max-message-size "4194305": expected a whole number from 480 ' +
      'to 4194304'));
  t.equal(resolve({ flags: { 'max-message-size': '4194304' } }).config.maxMessageSize, 4194304);
});

t.test('a listen address without a host is refused', async (t) => {
  t.strictSame(refusal({ flags: { udp: ['514'] } }),
    refused('Invalid --udp "514": expected HOST:PORT, e.g. 0.0.0.0:514 or [::]:514'));
});

t.test('a listen address with a host name is refused', async (t) => {
  t.strictSame(refusal({ flags: { tcp: ['localhost:514'] } }),
    refused('Invalid --tcp "localhost:514": the host must be an IPv4 address or an IPv6 ' +
      'address in brackets, e.g. 0.0.0.0:514 or [::]:514'));
});

t.test('a listen address without a port is refused', async (t) => {
  t.strictSame(refusal({ flags: { udp: ['[::1]'] } }),
    refused('Invalid --udp "[::1]": expected HOST:PORT, e.g. 0.0.0.0:514 or [::]:514'));
});

t.test('a listen port above 65535 is refused', async (t) => {
  t.strictSame(refusal({ flags: { udp: ['1.2.3.4:70000'] } }),
    refused('Invalid --udp "1.2.3.4:70000": the port must be 0-65535'));
});

t.test('an unknown time zone is refused', async (t) => {
  t.strictSame(refusal({ flags: { timezone: 'Mars/Olympus_Mons' } }),
    refused('Invalid --timezone "Mars/Olympus_Mons": not an IANA time zone ' +
      '(e.g. Europe/Paris, UTC)'));
});

t.test('an unknown database kind is refused', async (t) => {
  t.strictSame(refusal({ flags: { db: 'oracle://db/logs' } }),
    refused('Invalid --db "oracle://db/logs": unknown database kind oracle; use sqlite:PATH, ' +
      'mysql://USER@HOST:PORT/DATABASE or postgres://USER@HOST:PORT/DATABASE'));
});

t.test('a MySQL URL without a database is refused with the password masked', async (t) => {
  t.strictSame(refusal({ flags: { db: 'mysql://root:secret@127.0.0.1:3306' } }),
    refused('Invalid --db "mysql://root:***@127.0.0.1:3306": the URL needs a host and a ' +
      'database; use sqlite:PATH, mysql://USER@HOST:PORT/DATABASE or ' +
      'postgres://USER@HOST:PORT/DATABASE'));
});

t.test('an archive path outside the archive root is refused', async (t) => {
  t.strictSame(refusal({ flags: { 'archive-path': '/var/log/{host}.log' } }),
    refused('Invalid --archive-path "/var/log/{host}.log": must be a relative path such as ' +
      '{host}/{date}.log'));
  t.strictSame(refusal({ flags: { 'archive-path': '{host}/../{date}.log' } }),
    refused('Invalid --archive-path "{host}/../{date}.log": may not contain ".." or ' +
      'unmatched braces'));
});

t.test('an archive path with an unknown token is refused', async (t) => {
  t.strictSame(refusal({ flags: { 'archive-path': '{hostname}.log' } }),
    refused('Invalid --archive-path "{hostname}.log": unknown token {hostname}; tokens are ' +
      '{host} {source_ip} {program} {facility} {severity} {date} {year} {month} {day} ' +
      '{hour} {instance}'));
});

t.test('a choice option refuses values outside its list', async (t) => {
  t.strictSame(refusal({ flags: { migrate: 'sometimes' } }),
    refused('Invalid --migrate "sometimes": expected one of auto, never'));
  t.strictSame(refusal({ flags: { 'host-from': 'dns' } }),
    refused('Invalid --host-from "dns": expected one of header, source'));
});

t.test('--parse-threads auto is one thread per core, at most 4, and none on one core',
  async (t) => {
    t.strictSame([1, 2, 3, 4, 8, 64].map((cores) => autoParseThreads(cores)),
      [0, 2, 3, 4, 4, 4]);
  });

t.test('--parse-threads takes auto or a count from 0 to 64', async (t) => {
  t.equal(resolve({ flags: { 'parse-threads': '0' } }).config.parseThreads, 0);
  t.equal(resolve({ env: { LOGHARBOR_PARSE_THREADS: '3' } }).config.parseThreads, 3);
  for (const text of ['-1', '65', 'many', '']) {
    t.strictSame(refusal({ flags: { 'parse-threads': text } }),
      refused(`Invalid --parse-threads ${JSON.stringify(text)}: expected auto or a whole ` +
        'number from 0 (parse on the main thread) to 64'));
  }
});

t.test('a single-value option given twice is refused', async (t) => {
  t.strictSame(refusal({ flags: { 'queue-size': ['1', '2'] } }),
    refused('Option --queue-size was given 2 times; it takes one value'));
});

t.test('an empty instance name is refused', async (t) => {
  t.strictSame(refusal({ flags: { instance: ' ' } }),
    refused('Invalid --instance: it may not be empty'));
});

/** Every problem a set of sources is refused with, one line each. */
function problems(sources: Sources): readonly string[] {
  try {
    resolve(sources);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
  return [];
}

t.test('every problem of flags, environment and file is reported, each on its own line',
  async (t) => {
    const found = problems({
      flags: { 'queue-size': 'abc', config: '/c.json', 'ready-grace': '-1' },
      env: { LOGHARBOR_UDP_PORT: '514', LOGHARBOR_MIGRATE: 'sometimes' },
      files: { '/c.json': '{"archive-mode": "rw", "tcp-port": 514, "timezone": "Mars/Olympus"}' },
    });
    t.strictSame(found, [
      'Unknown environment variable LOGHARBOR_UDP_PORT: no option --udp-port exists (see ' +
        'logharbor --help; test settings use the LH_TEST_ prefix)',
      'Unknown key "tcp-port" in config file /c.json: keys are the long option names, ' +
        'e.g. "udp", "archive-path"',
      'Invalid --migrate "sometimes": expected one of auto, never',
      'Invalid --queue-size "abc": expected a whole number from 1 to 10000000',
      'Invalid --timezone "Mars/Olympus": not an IANA time zone (e.g. Europe/Paris, UTC)',
      'Invalid --archive-mode "rw": expected an octal mode such as 0640',
      'Invalid --ready-grace "-1": expected a whole number from 0 to 86400',
    ]);
  });

t.test('one problem keeps its message as the error message', async (t) => {
  t.strictSame(problems({ flags: { 'queue-size': '0' } }),
    ['Invalid --queue-size "0": expected a whole number from 1 to 10000000']);
});

t.test('ready-grace is read in seconds', async (t) => {
  t.equal(resolve({ env: { LOGHARBOR_READY_GRACE: '1' } }).config.readyGraceMs, 1000);
  t.equal(resolve({ flags: { 'ready-grace': '0' } }).config.readyGraceMs, 0);
});

t.test('watch-host takes a list from every layer', async (t) => {
  t.strictSame(resolve({ env: { LOGHARBOR_WATCH_HOST: 'WIN2008, core-sw1' } }).config.watchHosts,
    ['WIN2008', 'core-sw1']);
  t.strictSame(resolve({ flags: { config: '/c.json' },
    files: { '/c.json': '{"watch-host": ["erp01"]}' } }).config.watchHosts, ['erp01']);
});

t.test('watch-host refuses more than 100 hosts', async (t) => {
  const hosts = Array.from({ length: 101 }, (_, index) => `host${index}`);
  t.strictSame(problems({ flags: { 'watch-host': hosts } }), ['Invalid --watch-host: 101 ' +
    'hosts given, at most 100 are watched (watch the ones whose silence matters)']);
  t.equal(resolve({ flags: { 'watch-host': hosts.slice(1) } }).config.watchHosts.length, 100);
});

t.test('watch-host refuses two names with the same stats key', async (t) => {
  t.strictSame(problems({ flags: { 'watch-host': ['web-1', 'WEB.1'] } }),
    ['Invalid --watch-host "WEB.1": it has the same stats key as "web-1" (web_1); ' +
      'give one of them']);
  t.strictSame(problems({ flags: { 'watch-host': ['a', ''] } }),
    ['Invalid --watch-host: a name may not be empty']);
});

t.test('security options are parsed into listeners, networks and limits', async (t) => {
  const { config } = resolve({ flags: { tls: ['127.0.0.1:6514'], 'tls-cert': '/c.pem',
    'tls-key': '/k.pem', 'tls-ca': '/ca.pem', 'tls-client-auth': 'required',
    'tls-peer': ['web1.example.org', '*.example.net'], allow: ['10.0.0.0/8', '2001:db8::/32',
      '192.0.2.7'], 'rate-limit': '500', 'idle-timeout': '30', user: 'syslog' } });
  t.strictSame(config.tls, [{ host: '127.0.0.1', port: 6514, family: 4,
    text: '127.0.0.1:6514' }]);
  t.strictSame([config.tlsCert, config.tlsKey, config.tlsCa, config.tlsClientAuth],
    ['/c.pem', '/k.pem', '/ca.pem', 'required']);
  t.strictSame(config.tlsPeers, ['web1.example.org', '*.example.net']);
  t.strictSame(config.allow, [
    { address: '10.0.0.0', prefix: 8, family: 4, text: '10.0.0.0/8' },
    { address: '2001:db8::', prefix: 32, family: 6, text: '2001:db8::/32' },
    { address: '192.0.2.7', prefix: 32, family: 4, text: '192.0.2.7' },
  ]);
  t.strictSame([config.rateLimit, config.rateBurst, config.idleTimeoutMs, config.user,
    config.group], [500, 1000, 30_000, 'syslog', null]);
});

t.test('an --allow entry that is not a network is refused', async (t) => {
  t.strictSame(refusal({ flags: { allow: ['10.0.0.0/33'] } }),
    refused('Invalid --allow "10.0.0.0/33": the prefix length must be 0-32 for an IPv4 ' +
      'address'));
  t.strictSame(refusal({ env: { LOGHARBOR_ALLOW: '10.0.0.0/8,intranet' } }),
    refused('Invalid --allow "intranet": expected an address or ADDRESS/PREFIX, e.g. ' +
      '10.0.0.0/8, 192.0.2.7 or 2001:db8::/32'));
});

t.test('a TLS listener without a certificate and key is refused', async (t) => {
  t.strictSame(refusal({ flags: { tls: ['0.0.0.0:6514'], 'tls-cert': '/c.pem' } }),
    refused('Invalid --tls 0.0.0.0:6514: a TLS listener needs --tls-cert FILE and ' +
      '--tls-key FILE (PEM certificate and private key)'));
});

t.test('TLS files without a TLS listener are refused', async (t) => {
  t.strictSame(refusal({ flags: { 'tls-key': '/k.pem' } }),
    refused('Option --tls-key needs a TLS listener: add --tls HOST:PORT, e.g. ' +
      '--tls 0.0.0.0:6514'));
});

t.test('client certificates without a CA are refused', async (t) => {
  t.strictSame(refusal({ flags: { tls: ['0.0.0.0:6514'], 'tls-cert': '/c.pem',
    'tls-key': '/k.pem', 'tls-client-auth': 'optional' } }),
  refused('Invalid --tls-client-auth optional: checking client certificates needs ' +
    '--tls-ca FILE (the CA that signs them)'));
});

t.test('peer names without client certificates are refused', async (t) => {
  t.strictSame(refusal({ flags: { tls: ['0.0.0.0:6514'], 'tls-cert': '/c.pem',
    'tls-key': '/k.pem', 'tls-peer': ['web1'] } }),
  refused('Invalid --tls-peer web1: peer names are read from client certificates; add ' +
    '--tls-client-auth required (or optional)'));
});

t.test('a rate burst without a rate is refused', async (t) => {
  t.strictSame(refusal({ flags: { 'rate-burst': '50' } }),
    refused('Option --rate-burst needs --rate-limit: give the rate too, e.g. ' +
      '--rate-limit 1000 --rate-burst 5000'));
});

t.test('a connection cap of 0 is refused', async (t) => {
  t.strictSame(refusal({ flags: { 'max-connections-per-sender': '0' } }),
    refused('Invalid --max-connections-per-sender "0": expected a whole number from 1 to ' +
      '1000000'));
});
