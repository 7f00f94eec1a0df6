// Test helpers for KMS against moto: department keys in their own accounts, and a "service role" that
// may use keys of every account (what cross-account key policies give the service in production; moto
// has no cross-account access, so the service's client names the key's account per request).
import { CreateKeyCommand, KMSClient, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { MOTO_REGION, accountCredentials, type MotoCredentials } from '../../support/moto.js';
import { createKmsClients, parseKmsArn, type KmsClients } from '../../../shared/kms/index.js';

export { MOTO_REGION };

/** Creates a symmetric KMS key in `accountId` (optionally with a key policy) and returns its ARN. */
export async function createKeyIn(endpoint: string, accountId: string, policy?: unknown): Promise<string> {
  const credentials = await accountCredentials(endpoint, accountId, 'key-admin');
  const kms = new KMSClient({ endpoint, region: MOTO_REGION, credentials });
  try {
    const out = await kms.send(new CreateKeyCommand({ Description: `sealpost test key in ${accountId}` }));
    const arn = out.KeyMetadata?.Arn;
    if (!arn) throw new Error('moto returned no key ARN');
    if (policy) await kms.send(new PutKeyPolicyCommand({ KeyId: arn, PolicyName: 'default', Policy: JSON.stringify(policy) }));
    return arn;
  } finally {
    kms.destroy();
  }
}

/**
 * KMS clients for the ingest service: counted like production clients, and each request is sent to the
 * account its KeyId names (moto header), standing in for the cross-account grants of a real service role.
 */
export function serviceKmsClients(endpoint: string, credentials?: MotoCredentials): KmsClients {
  const clients = createKmsClients({ region: MOTO_REGION, endpoint, credentials: credentials ?? { accessKeyId: 'service', secretAccessKey: 'service' }, maxAttempts: 2 });
  const patched = new WeakSet<object>();
  const clientProvider = (region: string) => {
    const c = clients.clientProvider(region);
    if (!patched.has(c)) {
      patched.add(c);
      c.middlewareStack.add(
        (next) => async (args) => {
          const keyId = (args.input as { KeyId?: string }).KeyId;
          const account = keyId ? parseKmsArn(keyId)?.accountId : undefined;
          const req = args.request as { headers?: Record<string, string> };
          if (account && req.headers) req.headers['x-moto-account-id'] = account;
          return next(args);
        },
        { step: 'build', name: 'motoAccountOfKey' },
      );
    }
    return c;
  };
  return { clientProvider, client: clientProvider(MOTO_REGION), calls: () => clients.calls(), destroy: () => clients.destroy() };
}
