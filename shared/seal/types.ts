import type { SubjectKey } from './subject-wrap.js';

/**
 * The seam between the ingest hot path and the AWS Encryption SDK. The forwarder hands batches of
 * sections to a SectionSealer; the sealer returns standard ESDK messages (base64) that the stock
 * `decrypt()` of any ESDK opens with the department's keyring and this encryption context.
 */
export interface SealInput {
  /** Event id, bound inside the sealed plaintext (see SectionPlaintext in shared/envelope). */
  id: string;
  department: string;
  /** Source id (goes into the low-cardinality encryption context). */
  source: string;
  policyVersion: number;
  /**
   * Seal under this subject key (crypto-shredding, shared/subject-keys) instead of the department's
   * key: a raw AES keyring wrap, context `sectionContext(...)` plus `sealpost:subject-key` = its id.
   */
  subjectKey?: SubjectKey;
  /** Dotted path -> personal value this department may read. */
  fields: Record<string, unknown>;
}

export interface SectionSealer {
  /**
   * Seals every input; the result has one base64 ESDK message per input, in input order.
   * Rejects with a retriable SealpostError when key material cannot be had (KMS away, throttled):
   * the caller keeps the events in the journal and retries, it never writes them in clear.
   */
  sealMany(inputs: readonly SealInput[]): Promise<string[]>;
  /** Counts for metrics and benchmarks. */
  stats(): SealerStats;
  close(): Promise<void>;
}

export interface SealerStats {
  sectionsSealed: number;
  /** Times key material was requested from the keyring (a KMS GenerateDataKey/Encrypt call for KMS keyrings). */
  keyringCalls: number;
}
