#!/usr/bin/env -S node --max-semi-space-size=16 --no-allocation-site-pretenuring --single-threaded
/**
 * The `logharbor` command line (DESIGN.md §2): `run` (default), `migrate`, `check-config`.
 * Exit codes: 0 clean stop, 1 runtime failure, 2 invalid configuration or arguments, always
 * with one line on stderr saying what is wrong and how to fix it.
 */
import { readFileSync, statSync } from 'node:fs';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ConfigError, resolveConfig, type ResolvedConfig } from './config.js';
import { Daemon } from './daemon.js';
import { createLogger, type Logger } from './log.js';
import { OPTIONS, environmentName } from './options.js';
import { FatalSinkError } from './pipeline/sink-runner.js';
import { PrivilegeError } from './privileges.js';
import { ListenError } from './receiver/listen-error.js';
import { TlsSetupError } from './receiver/tls.js';
import { maskDatabaseUrl } from './sinks/sql/database-url.js';
import { runMigrate } from './migrate-command.js';
import { packageVersion } from './version.js';

const EXIT_RUNTIME = 1;
const EXIT_CONFIG = 2;

type Command = 'run' | 'migrate' | 'check-config';

async function main(argv: string[]): Promise<void> {
  const flags = await buildParser(argv).parseAsync() as Record<string, unknown>;
  const command = ((flags._ as string[])[0] ?? 'run') as Command;

  const resolved = resolveConfig({ flags, env: process.env,
    readFile: (path) => readFileSync(path, 'utf8'), fileMode: (path) => statSync(path).mode });
  switch (command) {
    case 'check-config':
      process.stdout.write(`${JSON.stringify(resolved.effective, null, 2)}\n`);
      return;
    case 'migrate':
      process.exitCode = await runMigrate(resolved.config);
      return;
    case 'run':
      await run(resolved);
  }
}

function buildParser(argv: string[]): Argv {
  let parser = yargs(argv)
    .scriptName('logharbor')
    .usage('Usage: $0 [run|migrate|check-config] [options]\n\n' +
      'Receives syslog over UDP and TCP and stores every message in a SQL table and in\n' +
      'archive files. Options also come from LOGHARBOR_* environment variables (repeatable\n' +
      'ones as comma lists) and from a JSON --config file; a flag wins over the\n' +
      'environment, which wins over the file.')
    .command(['run', '$0'], 'start the collector (the default)')
    .command('migrate', 'create or upgrade the SQL schema, then exit')
    .command('check-config', 'validate the options and print the effective configuration')
    .option('config', { describe: 'JSON file of options (long names as keys)',
      group: 'Operations:' });
  for (const option of OPTIONS) {
    parser = parser.option(option.name, {
      describe: `${option.description} [env ${environmentName(option.name)}]`,
      defaultDescription: option.defaultDescription ?? formatDefault(option.default),
      group: option.group,
    });
  }
  return parser
    .strict()
    .parserConfiguration({ 'camel-case-expansion': false })
    .help()
    .alias('help', 'h')
    .version(packageVersion())
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .fail((message, error) => {
      throw error ?? new ConfigError(`${message} (see logharbor --help)`);
    });
}

async function run(resolved: ResolvedConfig): Promise<void> {
  const { config } = resolved;
  hidePasswordFromProcessList();
  const log = createLogger(config.logLevel);
  const daemon = new Daemon(config, log);
  installSignalHandlers(daemon, log);

  try {
    await daemon.start();
  } catch (error) {
    const exitCode = error instanceof ListenError || error instanceof FatalSinkError ||
      error instanceof PrivilegeError
      ? EXIT_CONFIG
      : EXIT_RUNTIME;
    log.fatal({ err: error }, 'start failed');
    fail((error as Error).message, exitCode);
  }
}

function installSignalHandlers(daemon: Daemon, log: Logger): void {
  let signals = 0;
  const onStop = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals === 1) {
      log.info({ signal }, 'stop requested');
      daemon.stop().then(() => process.exit(0), (error: unknown) => {
        log.fatal({ err: error }, 'stop failed');
        process.exit(EXIT_RUNTIME);
      });
      return;
    }
    log.error({ signal, unsaved: daemon.abort() }, 'stop forced: queued records not stored');
    process.exit(EXIT_RUNTIME);
  };
  process.on('SIGTERM', onStop);
  process.on('SIGINT', onStop);
  process.on('SIGHUP', () => log.info('SIGHUP received: archive files reopen on next write'));
  process.on('uncaughtException', (error) => {
    log.fatal({ err: error }, 'uncaught exception');
    process.exit(EXIT_RUNTIME);
  });
}

/**
 * `ps` shows the command line: a password written in a `--db` URL would be readable by every
 * user of the machine, so the process title then repeats the arguments with it masked. Only
 * then: a new title also renames the process (`node` becomes `logharbor run`), which process
 * monitors such as Zabbix's `proc.num[node,,,logharbor]` match on.
 */
function hidePasswordFromProcessList(): void {
  const given = process.argv.slice(2);
  const args = given.map((arg) =>
    arg.replace(/^(--db=)?(.*)$/s, (_, flag: string | undefined, value: string) =>
      `${flag ?? ''}${maskDatabaseUrl(value)}`));
  if (args.every((arg, index) => arg === given[index])) return;
  process.title = ['logharbor', ...args].join(' ');
}

function formatDefault(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(',') : value;
}

/** One `logharbor: ` line per problem (a ConfigError may list several). */
function fail(problems: string | readonly string[], exitCode: number): never {
  const lines = typeof problems === 'string' ? [problems] : problems;
  process.stderr.write(lines.map((line) => `logharbor: ${line}\n`).join(''));
  process.exit(exitCode);
}

main(hideBin(process.argv)).catch((error: unknown) => {
  if (error instanceof ConfigError) fail(error.problems, EXIT_CONFIG);
  if (error instanceof TlsSetupError) fail(error.message, EXIT_CONFIG);
  fail((error as Error).stack ?? String(error), EXIT_RUNTIME);
});
