/**
 * `HOST:PORT` as the command line writes listeners: `0.0.0.0:514`, `127.0.0.1:0`, `[::]:514`.
 * The host must be an IP literal, so that a listener never depends on name resolution.
 */
import { isIP } from 'node:net';

export interface ListenAddress {
  host: string;
  port: number;
  family: 4 | 6;
  /** As written, for logs and error messages. */
  text: string;
}

export class ListenAddressError extends Error {
  readonly code = 'LH_BAD_LISTEN_ADDRESS';
}

export function parseListenAddress(text: string): ListenAddress {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  if (match === null) {
    throw new ListenAddressError('expected HOST:PORT, e.g. 0.0.0.0:514 or [::]:514');
  }

  const host = match[1] ?? match[2];
  const family = isIP(host);
  if (family === 0 || (family === 6) !== (match[1] !== undefined)) {
    throw new ListenAddressError('the host must be an IPv4 address or an IPv6 address in ' +
      'brackets, e.g. 0.0.0.0:514 or [::]:514');
  }

  const port = Number(match[3]);
  if (port > 65535) throw new ListenAddressError('the port must be 0-65535');
  return { host, port, family: family as 4 | 6, text };
}

/** The form of an address for display: brackets around IPv6. */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** IPv4 clients of a dual-stack socket appear as `::ffff:a.b.c.d`: store `a.b.c.d`. */
export function normalizeSourceIp(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
