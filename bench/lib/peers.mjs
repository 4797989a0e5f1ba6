// rsyslog 8 and syslog-ng 3.38 for the benchmarks: found, installed from Debian's packages
// when missing, and run as private instances (own config, pid file, work directory, sockets,
// 127.0.0.1 high ports), stopped by PID. Nothing here touches port 514, /dev/log or a system
// daemon.
//
// rsyslog lives where test/interop/install-senders.sh unpacks it,
// node_modules/.cache/logharbor-peers/rsyslog (LH_PEERS_DIR moves it), so the interop suite
// and the benchmarks share one copy; LH_RSYSLOGD and LH_RSYSLOG_MODULES point at another one.
// It is unpacked, not installed, because Debian's rsyslog and syslog-ng packages exclude each
// other. The benchmarks also need ommysql, which that script does not unpack: it is added to
// the same tree from rsyslog-mysql.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync }
  from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { log, waitForListeners } from './processes.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PEERS_DIR = process.env.LH_PEERS_DIR ?? join(ROOT, 'node_modules/.cache/logharbor-peers');
const RSYSLOG_ROOT = join(PEERS_DIR, 'rsyslog');
const MODULE_DIR = 'usr/lib/x86_64-linux-gnu/rsyslog';
const SYSLOG_NG_MODULES = '/usr/lib/syslog-ng';
const POLICY = '/usr/sbin/policy-rc.d';
/** Daemons stamp and format in UTC, the zone the benchmark's messages are written in. */
const DAEMON_ENV = { PATH: process.env.PATH, TZ: 'UTC', LANG: 'C.UTF-8' };

/**
 * rsyslogd and its module directory ({ rsyslogd, modules }), unpacked first if needed;
 * with `mysql`, a module directory that holds ommysql. Throws, saying why, when it cannot.
 */
export function rsyslogTools({ mysql = false } = {}) {
  const found = locateRsyslog();
  if (found !== null && (!mysql || existsSync(join(found.modules, 'ommysql.so')))) return found;
  if (found !== null && found.rsyslogd !== join(RSYSLOG_ROOT, 'usr/sbin/rsyslogd')) {
    throw new Error(`${found.modules} has no ommysql.so (install rsyslog-mysql)`);
  }
  unpackDebs(mysql ? ['rsyslog', 'rsyslog-mysql'] : ['rsyslog'], RSYSLOG_ROOT);
  const unpacked = locateRsyslog();
  if (unpacked === null) throw new Error(`rsyslog could not be unpacked into ${RSYSLOG_ROOT}`);
  return unpacked;
}

function locateRsyslog() {
  if (process.env.LH_RSYSLOGD !== undefined && process.env.LH_RSYSLOG_MODULES !== undefined) {
    return { rsyslogd: process.env.LH_RSYSLOGD, modules: process.env.LH_RSYSLOG_MODULES };
  }
  for (const root of [RSYSLOG_ROOT, '/']) {
    const rsyslogd = join(root, 'usr/sbin/rsyslogd');
    const modules = join(root, MODULE_DIR);
    if (existsSync(rsyslogd) && existsSync(modules)) return { rsyslogd, modules };
  }
  return null;
}

/** `apt-get download`s the packages and unpacks them into `root`, with missing libraries. */
function unpackDebs(packages, root) {
  const debs = mkdtempSync(join(tmpdir(), 'logharbor-debs-'));
  try {
    log(`unpacking ${packages.join(', ')} into ${root}`);
    aptGet(['download', ...packages], { cwd: debs });
    const files = readdirSync(debs).filter((name) => name.endsWith('.deb'))
      .map((name) => join(debs, name));
    const libraries = files.flatMap(dependsOf).filter((name) => !packages.includes(name));
    // Only what is missing: naming an installed library would upgrade it as well.
    const missing = [...new Set(libraries)].filter((name) => !installed(name));
    if (missing.length > 0) aptInstall(missing);
    mkdirSync(root, { recursive: true });
    for (const file of files) execFileSync('dpkg-deb', ['-x', file, root]);
  } finally {
    rmSync(debs, { recursive: true, force: true });
  }
}

/** The package names of a .deb's Depends line (of alternatives, the first). */
function dependsOf(deb) {
  const depends = execFileSync('dpkg-deb', ['-f', deb, 'Depends'], { encoding: 'utf8' });
  return depends.split(',').map((item) => item.split('|')[0].replace(/\(.*\)/, '').trim())
    .filter(Boolean);
}

/** syslog-ng on the PATH, with sql() when `sql`; installed with apt-get when missing. */
export function syslogNgTools({ sql = false } = {}) {
  const packages = ['syslog-ng-core', ...(sql ? ['syslog-ng-mod-sql', 'libdbd-mysql'] : [])];
  const missing = packages.filter((name) => !installed(name));
  if (missing.length > 0) aptInstall(missing);
  if (sql && !hasSyslogNgModule('libafsql.so')) throw new Error('syslog-ng has no sql() module');
  return { syslogNg: 'syslog-ng' };
}

function hasSyslogNgModule(file) {
  if (!existsSync(SYSLOG_NG_MODULES)) return false;
  return readdirSync(SYSLOG_NG_MODULES).some((version) =>
    existsSync(join(SYSLOG_NG_MODULES, version, file)));
}

/** mariadbd and mariadb-install-db, installed with apt-get when missing. */
export function mariadbTools() {
  if (!installed('mariadb-server')) aptInstall(['mariadb-server']);
  return { mariadbd: 'mariadbd', installDb: 'mariadb-install-db' };
}

function installed(name) {
  try {
    const status = execFileSync('dpkg-query', ['-W', '-f=${Status}', name],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return status.includes('install ok installed');
  } catch {
    return false;
  }
}

/**
 * apt-get install, with daemons kept from starting: Debian's maintainer scripts start a freshly
 * installed syslog-ng or MariaDB unless policy-rc.d says no (exit 101), and a system syslog
 * daemon must not appear because a benchmark ran.
 */
function aptInstall(packages) {
  log(`apt-get install ${packages.join(' ')}`);
  const ownPolicy = !existsSync(POLICY);
  if (ownPolicy) {
    writeFileSync(POLICY, '#!/bin/sh\nexit 101\n');
    chmodSync(POLICY, 0o755);
  }
  try {
    aptGet(['install', '-y', '-q', '--no-install-recommends', ...packages]);
  } finally {
    if (ownPolicy) rmSync(POLICY, { force: true });
  }
}

function aptGet(args, options = {}) {
  const run = () => execFileSync('apt-get', ['-o', 'DPkg::Lock::Timeout=300', ...args],
    { stdio: ['ignore', 'ignore', 'inherit'], ...options,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  try {
    run();
  } catch {
    // A machine that never ran `apt-get update` knows no package lists yet.
    execFileSync('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'update', '-qq'],
      { stdio: 'ignore' });
    run();
  }
}

/** Finds (or installs) what `system` needs; null, with a printed note, when it cannot. */
export function peerTools(system, needs) {
  try {
    return system === 'rsyslog' ? rsyslogTools(needs) : syslogNgTools(needs);
  } catch (error) {
    log(`skipping ${system}: ${error.message}`);
    return null;
  }
}

/**
 * Starts rsyslogd in the foreground on `config`, in `dir`, and resolves once it listens on
 * every port of `ready` ([{ transport, port }]).
 */
export async function startRsyslog(group, { tools, dir, config, ready }) {
  const file = join(dir, 'rsyslog.conf');
  mkdirSync(join(dir, 'work'), { recursive: true });
  writeFileSync(file, config);
  const child = group.spawn(tools.rsyslogd, ['-n', '-f', file, '-i', join(dir, 'rsyslogd.pid'),
    '-M', tools.modules], { stdio: ['ignore', 'ignore', 'inherit'], env: DAEMON_ENV });
  await waitForListeners(child, ready);
  return child;
}

/** Starts syslog-ng in the foreground on `config`, in `dir`, as startRsyslog does. */
export async function startSyslogNg(group, { dir, config, ready }) {
  const file = join(dir, 'syslog-ng.conf');
  writeFileSync(file, config);
  const child = group.spawn('syslog-ng', ['-F', '--no-caps', `--cfgfile=${file}`,
    `--pidfile=${join(dir, 'syslog-ng.pid')}`, `--persist-file=${join(dir, 'syslog-ng.persist')}`,
    `--control=${join(dir, 'syslog-ng.ctl')}`],
  { stdio: ['ignore', 'ignore', 'inherit'], env: DAEMON_ENV });
  await waitForListeners(child, ready);
  return child;
}

/** One line per peer for the results: which build was measured. */
export function peerVersions(tools) {
  const versions = {};
  if (tools.rsyslog) versions.rsyslog = firstLine(tools.rsyslog.rsyslogd, ['-v']);
  if (tools['syslog-ng']) versions['syslog-ng'] = firstLine('syslog-ng', ['--version']);
  return versions;
}

function firstLine(command, args) {
  try {
    return execFileSync(command, args, { encoding: 'utf8' }).split('\n')[0];
  } catch {
    return null;
  }
}
