import { X509Certificate, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SealpostError } from '../../../shared/errors/index.js';
import { unauthenticated, unavailable } from './errors.js';
import type { VerifyLog } from './types.js';
import { oldestEvictor } from '../../../shared/collections/oldest-evictor.js';

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
  /** Certificates kept, least recently used dropped first; SNS signs with a handful per region. */
  maxCertificates?: number;
  /** How long a failed load is remembered and answered from memory, so floods and retries do not refetch. */
  failureTtlMs?: number;
  /** Failures remembered at most, oldest forgotten first. */
  maxFailures?: number;
  /** Fetches from AWS in flight at once; a request beyond that is answered 503 without fetching. */
  maxConcurrentFetches?: number;
}

/** Resolves a validated SigningCertURL to the certificate's public key. */
export interface CertificateStore {
  publicKeyFor(url: URL, fileName: string): Promise<KeyObject>;
  /** Certificates and remembered failures held: bounded, whatever the senders send. */
  size(): { certificates: number; failures: number };
}

/** Defaults of the bounds above. */
export const CERTIFICATE_STORE_LIMITS = { maxCertificates: 32, failureTtlMs: 30_000, maxFailures: 256, maxConcurrentFetches: 4 } as const;

/** Refusals that say nothing about the certificate itself (too many fetches at once): not remembered. */
const notRemembered = new WeakSet<object>();

interface Loaded {
  cert: X509Certificate;
  origin: 'certDir' | 'fetched';
}

/**
 * Keeps SNS signing certificates in memory by host and file name, so AWS is asked once per
 * certificate (SNS rotates them rarely) and concurrent first requests share one fetch. Everything is
 * bounded because all of it happens before any signature is checked: certificates (LRU), failures
 * (remembered for failureTtlMs, so 8 requests for a missing certificate make one fetch) and fetches
 * in flight. Expired or not-yet-valid certificates are refused.
 */
export function createCertificateStore(opts: CertificateStoreOptions): CertificateStore {
  const limits = { ...CERTIFICATE_STORE_LIMITS, ...definedOnly(opts) };
  const cache = new Map<string, Promise<Loaded>>();
  const failures = new Map<string, { until: number; error: SealpostError }>();
  const evictOldestCertificate = oldestEvictor(cache);
  const evictOldestFailure = oldestEvictor(failures);
  let fetching = 0;

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
    if (fetching >= limits.maxConcurrentFetches) {
      const busy = unavailable('cert_unavailable', `Too many SNS signing certificates are being fetched at once (${limits.maxConcurrentFetches}); retry shortly.`);
      notRemembered.add(busy);
      throw busy;
    }
    let pem: string;
    fetching++;
    try {
      pem = await opts.fetchCertificate(url.href);
    } catch (err) {
      throw unavailable('cert_unavailable', `The SNS signing certificate ${fileName} could not be fetched from ${url.hostname}; check outbound HTTPS to AWS, or place it in certDir.`, err);
    } finally {
      fetching--;
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

  function remember(key: string, error: SealpostError): void {
    failures.delete(key);
    failures.set(key, { until: opts.now() + limits.failureTtlMs, error });
    while (failures.size > limits.maxFailures) evictOldestFailure();
  }

  function pendingFor(key: string, url: URL, fileName: string): Promise<Loaded> {
    const cached = cache.get(key);
    if (cached) {
      cache.delete(key); // re-inserted below: most recently used last
      cache.set(key, cached);
      return cached;
    }
    const failed = failures.get(key);
    if (failed && failed.until > opts.now()) throw failed.error;
    if (failed) failures.delete(key);
    const pending = load(url, fileName);
    cache.set(key, pending);
    while (cache.size > limits.maxCertificates) evictOldestCertificate();
    pending.catch((err: unknown) => {
      if (cache.get(key) === pending) cache.delete(key);
      if (notRemembered.has(err as object)) return; // busy: says nothing about this certificate
      remember(key, err instanceof SealpostError ? err : unavailable('cert_unavailable', `The SNS signing certificate ${fileName} could not be loaded.`, err));
    });
    return pending;
  }

  return {
    async publicKeyFor(url, fileName) {
      const key = `${url.hostname}/${fileName}`;
      let loaded: Loaded;
      try {
        loaded = await pendingFor(key, url, fileName);
      } catch (err) {
        if (err instanceof SealpostError) throw err;
        throw unavailable('cert_unavailable', `The SNS signing certificate ${fileName} could not be loaded.`, err);
      }
      const now = opts.now();
      if (now < Date.parse(loaded.cert.validFrom) || now > Date.parse(loaded.cert.validTo)) {
        const error = unauthenticated('bad_certificate', `The SNS signing certificate ${fileName} (from ${loaded.origin}) is outside its validity period.`);
        cache.delete(key);
        remember(key, error);
        throw error;
      }
      return loaded.cert.publicKey;
    },
    size: () => ({ certificates: cache.size, failures: failures.size }),
  };
}

function definedOnly(opts: CertificateStoreOptions): Partial<typeof CERTIFICATE_STORE_LIMITS> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(CERTIFICATE_STORE_LIMITS) as (keyof typeof CERTIFICATE_STORE_LIMITS)[]) {
    const v = opts[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}
