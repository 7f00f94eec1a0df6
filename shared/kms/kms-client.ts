import { AsyncLocalStorage } from 'node:async_hooks';
import { KMS, type KMSClientConfig } from '@aws-sdk/client-kms';

/** Static credentials or a provider, as every SDK v3 client takes them. */
export type AwsCredentials = NonNullable<KMSClientConfig['credentials']>;

/** Where and as whom to reach KMS. */
export interface KmsConnection {
  /** Region used for keys given without one (aliases) and for direct calls. */
  region: string;
  /** Endpoint override: a KMS-compatible server in tests, a VPC endpoint in production. */
  endpoint?: string;
  /** Omit for the standard AWS chain (environment, profile, SSO, container/instance role). */
  credentials?: AwsCredentials;
  /** Attempts per call including the first (SDK standard retry). Default 3. */
  maxAttempts?: number;
  /** Milliseconds to wait for a TCP connection. Default 2,000: an unreachable KMS must fail fast, not hang sealing. */
  connectionTimeoutMs?: number;
  /** Milliseconds to wait for an answer. Default 10,000. */
  requestTimeoutMs?: number;
}

/** Counts of KMS calls (API commands, not HTTP attempts), for `kms_calls_per_100k` and the metrics. */
export interface KmsCallCounts {
  total: number;
  failed: number;
  /** Operation name (GenerateDataKey, Encrypt, Decrypt, ...) -> calls. */
  byOperation: Record<string, number>;
}

/** A KMS call that failed, as seen by the client (the ESDK keyrings flatten these into one string). */
export interface KmsCallFailure {
  operation: string;
  keyId: string | undefined;
  error: unknown;
}

/**
 * The clients Sealpost uses for one identity. Why our own supplier instead of the ESDK default:
 * TRAP: `KmsKeyringNode` defaults to `cacheKmsClients`, a module-global per-region cache built with the
 * default credential chain; keyrings of two profiles would share it. Every keyring here gets this
 * supplier, so credentials, endpoint and counters stay per identity.
 */
export interface KmsClients {
  /** The ESDK `clientProvider`: a client for a key's region (same credentials and endpoint). */
  clientProvider(region: string): KMS;
  /** The client for the default region, for direct calls (GetKeyPolicy, blind-index key). */
  readonly client: KMS;
  calls(): KmsCallCounts;
  destroy(): void;
}

const failureSink = new AsyncLocalStorage<KmsCallFailure[]>();

/**
 * Runs `fn` and collects every KMS call failure made inside it (across awaits), so a caller can say
 * WHY a decrypt failed: the ESDK's KMS keyring turns KMS errors into one "Unable to decrypt data key"
 * string, losing the error names needed to tell access denied from key-not-found or no-credentials.
 */
export async function captureKmsFailures<T>(fn: () => Promise<T>): Promise<{ result: T; failures: KmsCallFailure[] } | { error: unknown; failures: KmsCallFailure[] }> {
  const failures: KmsCallFailure[] = [];
  try {
    const result = await failureSink.run(failures, fn);
    return { result, failures };
  } catch (error) {
    return { error, failures };
  }
}

function keyIdOf(input: unknown): string | undefined {
  const k = (input as { KeyId?: unknown } | undefined)?.KeyId;
  return typeof k === 'string' ? k : undefined;
}

/** Builds the per-identity KMS clients; each counts its calls and reports failures to captureKmsFailures. */
export function createKmsClients(conn: KmsConnection): KmsClients {
  const counts: KmsCallCounts = { total: 0, failed: 0, byOperation: {} };
  const clients = new Map<string, KMS>();
  const make = (region: string): KMS => {
    const kms = new KMS({
      region,
      ...(conn.endpoint ? { endpoint: conn.endpoint } : {}),
      ...(conn.credentials ? { credentials: conn.credentials } : {}),
      maxAttempts: conn.maxAttempts ?? 3,
      requestHandler: { connectionTimeout: conn.connectionTimeoutMs ?? 2_000, requestTimeout: conn.requestTimeoutMs ?? 10_000 },
    });
    kms.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
        counts.total++;
        counts.byOperation[operation] = (counts.byOperation[operation] ?? 0) + 1;
        try {
          return await next(args);
        } catch (error) {
          counts.failed++;
          failureSink.getStore()?.push({ operation, keyId: keyIdOf(args.input), error });
          throw error;
        }
      },
      { step: 'initialize', name: 'sealpostKmsCallCounter' },
    );
    return kms;
  };
  const clientProvider = (region: string): KMS => {
    const r = region || conn.region;
    let c = clients.get(r);
    if (!c) {
      c = make(r);
      clients.set(r, c);
    }
    return c;
  };
  return {
    clientProvider,
    client: clientProvider(conn.region),
    calls: () => ({ total: counts.total, failed: counts.failed, byOperation: { ...counts.byOperation } }),
    destroy: () => {
      for (const c of clients.values()) c.destroy();
      clients.clear();
    },
  };
}
