import { X509Certificate, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SealpostError } from '../../../shared/errors/index.js';
import { unauthenticated, unavailable } from './errors.js';
import type { VerifyLog } from './types.js';

/** Where SNS signing certificates come from and how they are kept. */
export interface CertificateStoreOptions {
  sourceId: string;
  /** Folder consulted first, holding certificates named like the SigningCertURL's file name. */
  certDir?: string;
  /** Whether certificates not in certDir may be fetched from AWS. */
  fetchCertificates: boolean;
  fetchCertificate(url: string): Promise<string>;
  now(): number;
  log: VerifyLog;
}

/** Resolves a validated SigningCertURL to the certificate's public key. */
export interface CertificateStore {
  publicKeyFor(url: URL, fileName: string): Promise<KeyObject>;
}

interface Loaded {
  cert: X509Certificate;
  origin: 'certDir' | 'fetched';
}

/**
 * Keeps SNS signing certificates in memory by URL, so AWS is asked once per certificate (SNS rotates
 * them rarely) and concurrent first requests share one fetch. A failed fetch is not cached, so the
 * next request (SNS retries) tries again. Expired or not-yet-valid certificates are refused.
 */
export function createCertificateStore(opts: CertificateStoreOptions): CertificateStore {
  const cache = new Map<string, Promise<Loaded>>();

  async function load(url: URL, fileName: string): Promise<Loaded> {
    if (opts.certDir) {
      let pem: string | undefined;
      try {
        pem = await readFile(join(opts.certDir, fileName), 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
          throw unavailable('cert_unavailable', `The SNS signing certificate ${fileName} in certDir could not be read; check the file's permissions.`, err);
        }
      }
      if (pem !== undefined) return { cert: parse(pem, fileName), origin: 'certDir' };
    }
    if (!opts.fetchCertificates) {
      throw unavailable('cert_unavailable', `The SNS signing certificate ${fileName} is not in certDir and fetchCertificates is off: download it from the message's SigningCertURL into certDir.`);
    }
    let pem: string;
    try {
      pem = await opts.fetchCertificate(url.href);
    } catch (err) {
      throw unavailable('cert_unavailable', `The SNS signing certificate ${fileName} could not be fetched from ${url.hostname}; check outbound HTTPS to AWS, or place it in certDir.`, err);
    }
    const loaded: Loaded = { cert: parse(pem, fileName), origin: 'fetched' };
    opts.log.info({ source: opts.sourceId, certFile: fileName, host: url.hostname }, 'SNS signing certificate fetched');
    return loaded;
  }

  function parse(pem: string, fileName: string): X509Certificate {
    try {
      return new X509Certificate(pem);
    } catch (err) {
      throw unauthenticated('bad_certificate', `The SNS signing certificate ${fileName} is not a PEM X.509 certificate.`, err);
    }
  }

  return {
    async publicKeyFor(url, fileName) {
      let pending = cache.get(url.href);
      if (!pending) {
        pending = load(url, fileName);
        cache.set(url.href, pending);
        pending.catch(() => cache.delete(url.href));
      }
      let loaded: Loaded;
      try {
        loaded = await pending;
      } catch (err) {
        if (err instanceof SealpostError) throw err;
        throw unavailable('cert_unavailable', `The SNS signing certificate ${fileName} could not be loaded.`, err);
      }
      const now = opts.now();
      if (now < Date.parse(loaded.cert.validFrom) || now > Date.parse(loaded.cert.validTo)) {
        cache.delete(url.href);
        throw unauthenticated('bad_certificate', `The SNS signing certificate ${fileName} (from ${loaded.origin}) is outside its validity period.`);
      }
      return loaded.cert.publicKey;
    },
  };
}
