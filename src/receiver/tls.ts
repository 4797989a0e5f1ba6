/**
 * TLS for a stream listener (RFC 5425: syslog over TLS, octet counting, port 6514 by
 * convention). The listener accepts plain TCP connections and checks them (allow-list,
 * connection caps) before handing each one to the terminator, so a refused sender never costs
 * a handshake. The terminator runs the handshake and gives back the decrypted stream, which
 * the listener frames like any TCP stream.
 *
 * Guarantees: TLS 1.2 or later only. Client certificates (`--tls-client-auth`): `none` asks for
 * none; `optional` accepts a client without one but refuses one whose certificate the CA does
 * not vouch for; `required` refuses a client without a valid one. `--tls-peer` names further
 * restrict who may connect, matched against the certificate's subject CN and its DNS and IP
 * subject alternative names. `reload()` (SIGHUP) reads the files again and applies them to new
 * connections; if they cannot be read, the running certificates stay in use.
 */
import type { Socket } from 'node:net';
import {
  createSecureContext, createServer, type Server, type TLSSocket,
} from 'node:tls';
import type { Logger, RateLimitedLog } from '../log.js';
import { normalizeSourceIp } from './listen-address.js';

export type TlsClientAuth = 'none' | 'optional' | 'required';

export interface TlsSettings {
  certFile: string;
  keyFile: string;
  caFile: string | null;
  clientAuth: TlsClientAuth;
  /** Permitted peer names; empty: any peer the client-auth mode accepts. */
  peers: readonly string[];
}

export interface TlsTerminatorOptions {
  log: Logger;
  warnings: RateLimitedLog;
  listener: string;
  /** Reads a certificate or key file (injected so tests and reloads see the same code). */
  readFile: (path: string) => Buffer;
  onSecureConnection: (socket: TLSSocket) => void;
}

export class TlsSetupError extends Error {
  readonly code = 'LH_TLS_SETUP';
}

export class TlsTerminator {
  /** Handshakes that failed: no or untrusted client certificate, wrong protocol, timeout. */
  handshakeFailures = 0;
  /** Clients refused after the handshake because no `--tls-peer` name matched. */
  peerRefusals = 0;

  readonly #settings: TlsSettings;
  readonly #options: TlsTerminatorOptions;
  readonly #server: Server;

  /** Reads the certificate files now; throws TlsSetupError when one cannot be used. */
  constructor(settings: TlsSettings, options: TlsTerminatorOptions) {
    this.#settings = settings;
    this.#options = options;
    this.#server = createServer({
      ...this.#credentials(),
      minVersion: 'TLSv1.2',
      requestCert: settings.clientAuth !== 'none',
      rejectUnauthorized: settings.clientAuth === 'required',
    });
    this.#server.on('secureConnection', (socket) => this.#secured(socket));
    this.#server.on('tlsClientError', (error: NodeJS.ErrnoException, socket) =>
      this.#handshakeFailed(error, socket));
  }

  /** Starts the handshake on an accepted connection. */
  upgrade(socket: Socket): void {
    this.#server.emit('connection', socket);
  }

  /** Re-reads the certificate, key and CA files for new connections. */
  reload(): void {
    try {
      this.#server.setSecureContext(this.#credentials());
      this.#options.log.info({ listener: this.#options.listener,
        cert: this.#settings.certFile }, 'tls certificates reloaded');
    } catch (error) {
      this.#options.log.error({ listener: this.#options.listener,
        err_message: (error as Error).message }, 'tls reload failed, previous certificates kept');
    }
  }

  #credentials(): { cert: Buffer; key: Buffer; ca?: Buffer } {
    const { certFile, keyFile, caFile } = this.#settings;
    const credentials = { cert: this.#read('--tls-cert', certFile),
      key: this.#read('--tls-key', keyFile) };
    const withCa = caFile === null ? credentials
      : { ...credentials, ca: this.#read('--tls-ca', caFile) };
    try {
      // Parses now, so a wrong file fails at start or reload, not at the first handshake.
      createSecureContext(withCa);
    } catch (error) {
      throw new TlsSetupError(`Cannot use the TLS certificate ${certFile} with key ` +
        `${keyFile}: ${(error as Error).message} (give PEM files of one key pair)`,
      { cause: error });
    }
    return withCa;
  }

  #read(option: string, path: string): Buffer {
    try {
      return this.#options.readFile(path);
    } catch (error) {
      throw new TlsSetupError(`Cannot read ${option} ${path}: ` +
        `${(error as NodeJS.ErrnoException).code ?? (error as Error).message} (check the ` +
        'path and that the collector\'s user may read it)', { cause: error });
    }
  }

  #secured(socket: TLSSocket): void {
    const refusal = this.#refusal(socket);
    if (refusal === null) {
      this.#options.onSecureConnection(socket);
      return;
    }

    this.peerRefusals += 1;
    this.#options.warnings.warn('tls-peer-refused', { listener: this.#options.listener,
      source_ip: normalizeSourceIp(socket.remoteAddress ?? ''), reason: refusal },
    'tls client refused');
    socket.destroy();
  }

  /** Why an established session may not send, or null. */
  #refusal(socket: TLSSocket): string | null {
    const certificate = socket.getPeerCertificate();
    const presented = certificate !== null && Object.keys(certificate).length > 0;
    if (presented && !socket.authorized) {
      return `certificate not trusted: ${String(socket.authorizationError)}`;
    }

    const { peers } = this.#settings;
    if (peers.length === 0) return null;
    if (!presented) return 'no client certificate, and --tls-peer names are required';
    const names = certificateNames(certificate);
    if (names.some((name) => peers.some((peer) => peerMatches(peer, name)))) return null;
    return `no --tls-peer matches ${names.join(', ') || 'the certificate'}`;
  }

  #handshakeFailed(error: NodeJS.ErrnoException, socket: TLSSocket): void {
    this.handshakeFailures += 1;
    this.#options.warnings.warn('tls-handshake', { listener: this.#options.listener,
      source_ip: normalizeSourceIp(socket.remoteAddress ?? ''), code: error.code,
      err_message: error.message }, 'tls handshake failed');
    socket.destroy();
  }
}

/** Subject CNs, then DNS and IP subject alternative names, in lower case. */
function certificateNames(certificate: ReturnType<TLSSocket['getPeerCertificate']>): string[] {
  const cn = certificate.subject?.CN as string | string[] | undefined;
  const names = cn === undefined ? [] : Array.isArray(cn) ? [...cn] : [cn];
  for (const entry of (certificate.subjectaltname ?? '').split(',')) {
    const match = /^\s*(?:DNS|IP Address):(.+)$/.exec(entry);
    if (match !== null) names.push(match[1].trim());
  }
  return names.map((name) => name.toLowerCase());
}

/** `--tls-peer` names: exact (case-insensitive), or `*.example.org` for one more label. */
function peerMatches(peer: string, name: string): boolean {
  const wanted = peer.toLowerCase();
  if (!wanted.startsWith('*.')) return wanted === name;
  const suffix = wanted.slice(1);
  return name.endsWith(suffix) && !name.slice(0, -suffix.length).includes('.') &&
    name.length > suffix.length;
}
