// Self-signed certificates for tests of the TLS listeners, made with the openssl CLI.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** A P-256 certificate valid one day for 127.0.0.1 (and `ip`, when given), written into `dir`. */
export function selfSigned(dir: string, ip?: string, name = 'sealpost-test'): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  const san = ip ? `subjectAltName=IP:127.0.0.1,IP:${ip}` : 'subjectAltName=IP:127.0.0.1';
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', `/CN=${name}`, '-addext', san, '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { cert, key };
}
