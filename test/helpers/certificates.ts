/**
 * Test certificates made with the `openssl` command line: a CA, server and client
 * certificates signed by it, in a temporary directory. Keys are EC P-256, quick to make.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export interface CertificateFiles {
  cert: string;
  key: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function newKey(dir: string, name: string): string {
  const key = join(dir, `${name}.key`);
  openssl(dir, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256',
    '-out', key]);
  return key;
}

/** A self-signed CA named `name`. */
export function makeCa(dir: string, name: string): CertificateFiles {
  const key = newKey(dir, name);
  const cert = join(dir, `${name}.crt`);
  openssl(dir, ['req', '-x509', '-key', key, '-out', cert, '-days', '2', '-subj',
    `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign']);
  return { cert, key };
}

/** A certificate for subject CN `cn` (and the given SANs, e.g. `IP:127.0.0.1`), signed by `ca`. */
export function makeCertificate(dir: string, options: { ca: CertificateFiles; name: string;
  cn: string; san?: string[] }): CertificateFiles {
  const key = newKey(dir, options.name);
  const request = join(dir, `${options.name}.csr`);
  const cert = join(dir, `${options.name}.crt`);
  const san = options.san === undefined ? [] : ['-addext',
    `subjectAltName=${options.san.join(',')}`];
  openssl(dir, ['req', '-new', '-key', key, '-out', request, '-subj', `/CN=${options.cn}`,
    ...san]);
  openssl(dir, ['x509', '-req', '-in', request, '-CA', options.ca.cert, '-CAkey', options.ca.key,
    '-CAcreateserial', '-out', cert, '-days', '2', '-copy_extensions', 'copy']);
  return { cert, key };
}
