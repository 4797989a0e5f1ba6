/** The version in logharbor's package.json, for `--version` and `logharbor_build_info`. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageVersion(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(directory, 'package.json')) && dirname(directory) !== directory) {
    directory = dirname(directory);
  }
  const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as
    { version?: string };
  return manifest.version ?? 'unknown';
}
