/**
 * `check-config` on the shipped example and on broken configurations: the effective config on
 * stdout, or exit 2 with one stderr line per problem; `run` refuses the same way before it
 * binds anything.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { OPTIONS } from '../../src/options.js';
import { removeDir, runCli, tempDir } from '../helpers/collector.js';

const EXAMPLE = new URL('../../contrib/logharbor.example.json', import.meta.url);
const EXAMPLE_DOC = new URL('../../contrib/logharbor.example.md', import.meta.url);
/**
 * Options the example leaves out, so that it runs as it is under contrib/logharbor.service:
 * `rate-burst` needs a `rate-limit` above 0, the TLS files would have to exist, and `user` and
 * `group` need a start as root (the unit starts as the logharbor user).
 */
const NOT_IN_EXAMPLE = new Set(['rate-burst', 'tls-cert', 'tls-key', 'tls-ca', 'tls-peer',
  'user', 'group']);
const EXAMPLE_OPTIONS = OPTIONS.map((option) => option.name)
  .filter((name) => !NOT_IN_EXAMPLE.has(name));

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}

t.test('the example config sets every option it can and check-config accepts it', async (t) => {
  const example = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as Record<string, unknown>;
  t.strictSame(Object.keys(example).sort(), [...EXAMPLE_OPTIONS].sort());

  const dir = tempDir();
  t.teardown(() => removeDir(dir));
  const passwordFile = join(dir, 'db-password');
  writeFileSync(passwordFile, 's3cret\n', { mode: 0o600 });
  const result = await runCli(['check-config', '--config', EXAMPLE.pathname,
    '--db-password-file', passwordFile]);
  t.equal(result.code, 0, result.stderr);
  t.equal(result.stderr, '');
  t.notMatch(result.stdout, /s3cret/);
  t.strictSame(JSON.parse(result.stdout),
    { ...example, ...Object.fromEntries([...NOT_IN_EXAMPLE].map((name) => [name, null])),
      'db-password-file': passwordFile, 'db-password': '***' });
});

t.test('the example\'s companion document explains every option', async (t) => {
  const doc = readFileSync(EXAMPLE_DOC, 'utf8');
  const missing = OPTIONS.map((option) => option.name)
    .filter((name) => !doc.includes(`\`${name}\``));
  t.strictSame(missing, []);
});

t.test('check-config reports every problem on a line of its own and exits 2', async (t) => {
  const dir = tempDir();
  t.teardown(() => removeDir(dir));
  const file = join(dir, 'broken.json');
  writeFileSync(file, JSON.stringify({ 'archive-mode': 'rw', 'spool-max': 'lots',
    'watch-host': ['web-1', 'WEB.1'], colour: 'blue' }));

  const result = await runCli(['check-config', '--config', file, '--queue-size', '0',
    '--udp', 'localhost:514'], { LOGHARBOR_READY_GRACE: 'soon' });
  t.equal(result.code, 2);
  t.equal(result.stdout, '', 'no configuration is printed');
  t.strictSame(lines(result.stderr), [
    `logharbor: Unknown key "colour" in config file ${file}: keys are the long option names, ` +
      'e.g. "udp", "archive-path"',
    'logharbor: Invalid --udp "localhost:514": the host must be an IPv4 address or an IPv6 ' +
      'address in brackets, e.g. 0.0.0.0:514 or [::]:514',
    'logharbor: Invalid --queue-size "0": expected a whole number from 1 to 10000000',
    'logharbor: Invalid --spool-max "lots": expected a size such as 512KB, 100MB or 1GB',
    'logharbor: Invalid --archive-mode "rw": expected an octal mode such as 0640',
    'logharbor: Invalid --ready-grace "soon": expected a whole number from 0 to 86400',
    'logharbor: Invalid --watch-host "WEB.1": it has the same stats key as "web-1" (web_1); ' +
      'give one of them',
  ]);
});

t.test('run refuses a broken configuration the same way before binding anything', async (t) => {
  const result = await runCli(['run', '--udp', '127.0.0.1:0', '--tcp', '127.0.0.1:0',
    '--http', '127.0.0.1:0', '--queue-size', 'many', '--timezone', 'Europe/Atlantis']);
  t.equal(result.code, 2);
  t.equal(result.stdout, '', 'no listening event: nothing was bound');
  t.strictSame(lines(result.stderr), [
    'logharbor: Invalid --queue-size "many": expected a whole number from 1 to 10000000',
    'logharbor: Invalid --timezone "Europe/Atlantis": not an IANA time zone ' +
      '(e.g. Europe/Paris, UTC)',
  ]);
});
