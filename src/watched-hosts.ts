/**
 * When each host named by `--watch-host` last sent a message, so that "the Windows 2008 server
 * stopped sending" is one trigger. Bounded by the option: one entry per watched name, never one
 * per sender, so a flood of forged host names cannot grow it. A host is matched by its `host`
 * column value (DESIGN.md §3), ignoring case, as DNS does.
 */
import type { LogRecord } from './record.js';

/** Enough for the senders whose silence matters; each costs a stats key and a metric series. */
export const MAX_WATCHED_HOSTS = 100;

const AGE_KEY_PREFIX = 'last_message_age_seconds_';

/** The /stats.json suffix of a watched host: `WIN2008-FR.corp` → `win2008_fr_corp`. */
export function watchKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '_');
}

export interface WatchedHost {
  name: string;
  /** Epoch ms of the last message, 0 before the first one. */
  lastSeenAt: number;
}

export interface WatchedHostsOptions {
  names: readonly string[];
  /** The `host` column value of a record (RowMapper.host). */
  hostOf: (record: LogRecord) => string;
}

export class WatchedHosts {
  readonly #byHost = new Map<string, WatchedHost>();
  readonly #hostOf: (record: LogRecord) => string;

  constructor(options: WatchedHostsOptions) {
    this.#hostOf = options.hostOf;
    for (const name of options.names) {
      this.#byHost.set(name.toLowerCase(), { name, lastSeenAt: 0 });
    }
  }

  get hosts(): WatchedHost[] {
    return [...this.#byHost.values()];
  }

  /** Called for every parsed record: one lookup, and nothing at all when none is watched. */
  note(record: LogRecord): void {
    if (this.#byHost.size === 0) return;
    const host = this.#byHost.get(this.#hostOf(record).toLowerCase());
    if (host !== undefined) host.lastSeenAt = record.meta.receivedAt.getTime();
  }

  /**
   * `last_message_age_seconds_<key>` per watched host; a host not heard from yet counts from
   * `since` (the collector's start), so a host that never sends trips the same trigger.
   */
  ages(now: number, since: number): Record<string, number> {
    const ages: Record<string, number> = {};
    for (const host of this.#byHost.values()) {
      const last = host.lastSeenAt === 0 ? since : host.lastSeenAt;
      const seconds = Math.max(0, Math.floor((now - last) / 1000));
      ages[`${AGE_KEY_PREFIX}${watchKey(host.name)}`] = seconds;
    }
    return ages;
  }
}
