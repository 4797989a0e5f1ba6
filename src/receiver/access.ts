/**
 * The allow-list of `--allow CIDR`: which senders may write at all. It is checked before a
 * datagram is framed and before a connection is read (or its TLS handshake starts), so a
 * refused sender costs one lookup. IPv4 senders seen on a dual-stack socket as `::ffff:a.b.c.d`
 * match IPv4 ranges. An empty list allows every sender.
 */
import { BlockList, isIP } from 'node:net';
import type { RateLimitedLog } from '../log.js';
import type { Stats } from '../stats.js';

/** One `--allow` entry: `10.0.0.0/8`, `2001:db8::/32`, or a single address. */
export interface Cidr {
  address: string;
  prefix: number;
  family: 4 | 6;
  /** As written, for logs and check-config. */
  text: string;
}

export class CidrError extends Error {
  readonly code = 'LH_BAD_CIDR';
}

export function parseCidr(text: string): Cidr {
  const [address, prefixText, extra] = text.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) {
    throw new CidrError('expected an address or ADDRESS/PREFIX, e.g. 10.0.0.0/8, ' +
      '192.0.2.7 or 2001:db8::/32');
  }

  const maxPrefix = family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? maxPrefix : Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText ?? '0') || prefix > maxPrefix) {
    throw new CidrError(`the prefix length must be 0-${maxPrefix} for an IPv${family} address`);
  }
  return { address, prefix, family: family as 4 | 6, text };
}

export interface AccessListOptions {
  stats: Stats;
  warnings: RateLimitedLog;
}

export class AccessList {
  readonly #allowed = new BlockList();
  readonly #empty: boolean;
  readonly #options: AccessListOptions;

  constructor(cidrs: readonly Cidr[], options: AccessListOptions) {
    this.#options = options;
    for (const cidr of cidrs) {
      this.#allowed.addSubnet(cidr.address, cidr.prefix, cidr.family === 4 ? 'ipv4' : 'ipv6');
    }
    this.#empty = cidrs.length === 0;
  }

  /** `sourceIp` as receivers store it (mapped IPv4 already unwrapped). */
  allows(sourceIp: string): boolean {
    if (this.#empty) return true;
    const family = isIP(sourceIp);
    if (family === 0) return false;
    return this.#allowed.check(sourceIp, family === 4 ? 'ipv4' : 'ipv6');
  }

  /** A datagram or connection from `sourceIp`: false (counted `acl`, logged) if refused. */
  admit(sourceIp: string, listener: string): boolean {
    if (this.allows(sourceIp)) return true;
    this.#options.stats.drop('acl');
    this.#options.warnings.warn('acl', { source_ip: sourceIp, listener },
      'sender not in --allow, refused');
    return false;
  }
}
