/**
 * When each host named by `--watch-host` last sent a message, so that "the Windows 2008 server
 * stopped sending" is one trigger. Bounded by the option: one entry per watched name, never one
 * per sender, so a flood of forged host names cannot grow it. A host is matched by its `host`
 * column value (DESIGN.md §3), ignoring case, as DNS does.
 */
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
}

export class WatchedHosts {
  readonly #byHost = new Map<string, WatchedHost>();

  constructor(options: WatchedHostsOptions) {
    for (const name of options.names) {
      this.#byHost.set(name.toLowerCase(), { name, lastSeenAt: 0 });
    }
  }

  get hosts(): WatchedHost[] {
    return [...this.#byHost.values()];
  }

  /**
   * A message from `host` (its `host` column value in lower case; the parsing side matches
   * records against the names, see BatchBuilder) arrived at `at` (epoch ms).
   */
  noteHost(host: string, at: number): void {
    const watched = this.#byHost.get(host);
    if (watched !== undefined && at > watched.lastSeenAt) watched.lastSeenAt = at;
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
