import { KmsKeyringNode } from '@aws-crypto/client-node';
import { KeyringNode, MultiKeyringNode, type EncryptedDataKey, type NodeDecryptionMaterial, type NodeEncryptionMaterial } from '@aws-crypto/material-management-node';
import { kmsSealError } from './errors.js';
import type { KmsClients } from './kms-client.js';

/**
 * A keyring that seals with one keyring and opens with another. Why: rotation. The policy says "the
 * first key seals new records, every key listed still reads older ones". A plain
 * `KmsKeyringNode({ generatorKeyId: new, keyIds: [old] })` would also wrap every NEW data key under
 * the OLD key (keyIds encrypt too), so whoever keeps the old key would read new records forever.
 * Failures while sealing become retriable SealpostErrors (SP_KMS_*), so the forwarder keeps the
 * events in the journal and nothing is written in clear.
 */
export class SealOpenKeyring extends KeyringNode {
  readonly #seal: KeyringNode | undefined;
  readonly #open: KeyringNode;
  readonly #sealKeyId: string | undefined;

  constructor(seal: KeyringNode | undefined, open: KeyringNode, sealKeyId?: string) {
    super();
    this.#seal = seal;
    this.#open = open;
    this.#sealKeyId = sealKeyId;
  }

  async _onEncrypt(material: NodeEncryptionMaterial): Promise<NodeEncryptionMaterial> {
    if (!this.#seal) throw kmsSealError(new Error('this keyring only opens records'), 'Seal', this.#sealKeyId);
    try {
      return await this.#seal.onEncrypt(material);
    } catch (err) {
      throw kmsSealError(err, 'GenerateDataKey', this.#sealKeyId);
    }
  }

  async _onDecrypt(material: NodeDecryptionMaterial, edks: EncryptedDataKey[]): Promise<NodeDecryptionMaterial> {
    return this.#open.onDecrypt(material, edks);
  }
}

/**
 * The keyring of a department whose keys are KMS keys: `keyIds[0]` generates (and alone wraps) new
 * data keys; any of `keyIds` may open. Opening through this keyring needs key ARNs: a record's
 * encrypted data key names the key by ARN, and the ESDK matches the listed ids literally
 * (kms-keyring filterEDKs), so an alias only ever seals. Readers use a discovery keyring instead.
 */
export function kmsKeyring(keyIds: readonly string[], clients: KmsClients): SealOpenKeyring {
  const [first] = keyIds;
  if (!first) throw new TypeError('kmsKeyring needs at least one key id');
  const clientProvider = clients.clientProvider;
  const seal = new KmsKeyringNode({ generatorKeyId: first, clientProvider });
  const open = new KmsKeyringNode({ keyIds: [...keyIds], clientProvider });
  return new SealOpenKeyring(seal, open, first);
}

/** Joins keyrings for opening (tries each in order; the ESDK's multi keyring), or returns the one. */
export function anyOf(keyrings: readonly KeyringNode[]): KeyringNode {
  if (keyrings.length === 1) return keyrings[0]!;
  return new MultiKeyringNode({ children: [...keyrings] });
}
