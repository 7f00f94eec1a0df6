// Opens sealed sections the way any department consumer would: the STOCK AWS Encryption SDK decrypt()
// with a raw AES keyring built here from the department's key file — independent of Sealpost's own code.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildClient, CommitmentPolicy, RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '@aws-crypto/client-node';

const { decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);

/** A keyring for a local department key file in `<dataDir>/keys/<name>.key`. */
export function departmentKeyring(dataDir: string, name: string): RawAesKeyringNode {
  const key = readFileSync(join(dataDir, 'keys', `${name}.key`));
  return new RawAesKeyringNode({
    keyName: name,
    keyNamespace: 'sealpost',
    unencryptedMasterKey: new Uint8Array(key),
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
    utf8Sorting: true,
  });
}

/** Decrypts one base64 section with the stock SDK; returns plaintext JSON and the encryption context. */
export async function openSection(keyring: RawAesKeyringNode, sectionB64: string): Promise<{ plaintext: any; context: Record<string, string> }> {
  const { plaintext, messageHeader } = await decrypt(keyring, Buffer.from(sectionB64, 'base64'));
  return { plaintext: JSON.parse(plaintext.toString('utf8')), context: { ...messageHeader.encryptionContext } };
}
