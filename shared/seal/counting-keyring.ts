import { KeyringNode, type EncryptedDataKey, type NodeDecryptionMaterial, type NodeEncryptionMaterial } from '@aws-crypto/material-management-node';

/**
 * A keyring that forwards to another and counts the calls that actually reach it. Why: a caching
 * materials manager answers most requests without touching the keyring, so counting requests to
 * the CMM would overstate KMS traffic; counting here is what `SealerStats.keyringCalls` promises
 * (one KMS GenerateDataKey/Encrypt per `onEncrypt` for KMS keyrings).
 * The SDK's keyrings are frozen classes, so this wraps rather than patches.
 */
export class CountingKeyring extends KeyringNode {
  readonly #inner: KeyringNode;
  readonly #onEncryptCall: () => void;
  readonly #onDecryptCall: () => void;

  constructor(inner: KeyringNode, counters: { onEncrypt: () => void; onDecrypt?: () => void }) {
    super();
    this.#inner = inner;
    this.#onEncryptCall = counters.onEncrypt;
    this.#onDecryptCall = counters.onDecrypt ?? (() => {});
  }

  async _onEncrypt(material: NodeEncryptionMaterial): Promise<NodeEncryptionMaterial> {
    this.#onEncryptCall();
    return this.#inner.onEncrypt(material);
  }

  async _onDecrypt(material: NodeDecryptionMaterial, encryptedDataKeys: EncryptedDataKey[]): Promise<NodeDecryptionMaterial> {
    this.#onDecryptCall();
    return this.#inner.onDecrypt(material, encryptedDataKeys);
  }
}
