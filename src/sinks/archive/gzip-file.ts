/**
 * Compresses one closed archive file to `<name>.gz` without ever leaving a moment where
 * neither a complete original nor a complete `.gz` exists: the gzip goes to `<name>.gz.tmp`,
 * is fsynced, renamed over `<name>.gz` (and the rename made durable), and only then is the
 * original removed. When `<name>.gz` exists already (a late line reopened a compressed day),
 * the new data is appended to a copy of it as a second gzip member, which `zcat` and
 * `gzip -d` read as one stream.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, copyFile, open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { GZIP_SUFFIX } from './archive-layout.js';

export const TEMPORARY_SUFFIX = '.tmp';

export async function gzipFile(path: string, signal?: AbortSignal): Promise<void> {
  const target = path + GZIP_SUFFIX;
  const temporary = target + TEMPORARY_SUFFIX;
  const { mode } = await stat(path);
  try {
    const appending = await exists(target);
    if (appending) await copyFile(target, temporary);
    await pipeline(createReadStream(path), createGzip(),
      createWriteStream(temporary, { flags: appending ? 'a' : 'w', mode: mode & 0o777 }),
      { signal });
    await chmod(temporary, mode & 0o777);
    await syncPath(temporary);
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncPath(dirname(target));
  await rm(path);
}

async function syncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}
