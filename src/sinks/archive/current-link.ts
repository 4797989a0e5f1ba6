/**
 * The `current` symbolic links (DESIGN.md §4): in each per-host directory, `current` points at
 * the file being written, so `tail -F HOST/current` follows across days and size rotations.
 *
 * A link is replaced atomically (a new link under a temporary name, renamed over the old one),
 * so a reader never finds it missing. It only moves forward: a late record written to
 * yesterday's file just after midnight does not pull it back.
 */
import { renameSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { CURRENT_LINK_NAME, type ArchiveLayout } from './archive-layout.js';

export class CurrentLinks {
  readonly #root: string;
  readonly #layout: ArchiveLayout;
  /** Per link: the rank (day, continuation) of the file it points at. */
  readonly #ranks = new Map<string, string>();

  constructor(root: string, layout: ArchiveLayout) {
    this.#root = root;
    this.#layout = layout;
  }

  /** Points the link of `path`'s directory at it, unless it points at a later file already. */
  point(path: string): void {
    const relative = path.slice(this.#root.length + 1);
    const link = this.#layout.linkFor(relative);
    const name = this.#layout.describe(relative);
    if (link === null || name === null) return;

    const linkPath = join(this.#root, link.directory, CURRENT_LINK_NAME);
    const rank = `${name.lastDay ?? ''}:${String(name.segment).padStart(9, '0')}:${link.target}`;
    const known = this.#ranks.get(linkPath);
    if (known !== undefined && known >= rank) return;

    const temporary = `${linkPath}.${process.pid}.tmp`;
    rmSync(temporary, { force: true });
    symlinkSync(link.target, temporary);
    renameSync(temporary, linkPath);
    this.#ranks.set(linkPath, rank);
  }
}
