/**
 * `--user` and `--group`: the collector binds its ports as root, then becomes the given user
 * for good (group list, group, then user: in the other order the process could no longer
 * change its groups), before any sink opens a file. So the archive, the spool and an SQLite
 * database are created by and belong to that user, and a flaw in the collector cannot write
 * as root. Names are resolved through the system's user database (`id`), so NSS users such
 * as LDAP accounts work too.
 */
import { execFileSync } from 'node:child_process';

export interface PrivilegeTarget {
  user: string | null;
  group: string | null;
}

export interface DroppedPrivileges {
  uid: number;
  gid: number;
}

export class PrivilegeError extends Error {
  readonly code = 'LH_PRIVILEGE_DROP';
}

/** Becomes `target`; returns the ids now in effect. Throws PrivilegeError, changing nothing. */
export function dropPrivileges(target: PrivilegeTarget): DroppedPrivileges {
  const current = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  const user = target.user === null ? null : lookUpUser(target.user);
  const gid = target.group === null ? user?.gid ?? current.gid : lookUpGroup(target.group);
  const uid = user?.uid ?? current.uid;
  if (current.uid === uid && current.gid === gid) return { uid, gid };
  if (current.uid !== 0) {
    throw new PrivilegeError(`Cannot switch to ${describe(target)}: the collector runs as ` +
      `uid ${current.uid}, and only root may change user (start it as root, or drop ` +
      '--user and --group)');
  }

  process.setgroups?.([...new Set([gid, ...(user?.groups ?? [])])]);
  process.setgid?.(gid);
  process.setuid?.(uid);
  return { uid, gid };
}

/** The user's ids and the groups the system lists for it (its supplementary groups). */
function lookUpUser(name: string): { uid: number; gid: number; groups: number[] } {
  const uid = idOf(['-u', name]);
  const gid = idOf(['-g', name]);
  const groups = idOf(['-G', name]);
  if (uid === null || gid === null || groups === null) {
    throw new PrivilegeError(`Invalid --user ${JSON.stringify(name)}: no such user on this ` +
      `machine (create it, e.g. useradd --system --no-create-home ${name}, or name another)`);
  }
  return { uid: uid[0], gid: gid[0], groups };
}

function lookUpGroup(name: string): number {
  if (/^\d+$/.test(name)) return Number(name);
  const gid = Number(getent(['group', name])?.split(':')[2] ?? Number.NaN);
  if (Number.isSafeInteger(gid)) return gid;
  throw new PrivilegeError(`Invalid --group ${JSON.stringify(name)}: no such group on this ` +
    `machine (create it, e.g. groupadd --system ${name}, or name another)`);
}

function idOf(args: string[]): number[] | null {
  try {
    const text = execFileSync('id', args, { encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'] });
    return text.trim().split(/\s+/).map(Number);
  } catch {
    return null; // `id` exits 1 for an unknown user
  }
}

function getent(args: string[]): string | null {
  try {
    return execFileSync('getent', args, { encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null; // `getent` exits 2 for an unknown key
  }
}

function describe(target: PrivilegeTarget): string {
  return [target.user === null ? null : `user ${target.user}`,
    target.group === null ? null : `group ${target.group}`].filter(Boolean).join(' and ');
}
