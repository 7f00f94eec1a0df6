import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { buildClient, CommitmentPolicy, NodeAlgorithmSuite, type KeyringNode } from '@aws-crypto/client-node';
import { deserializeFactory } from '@aws-crypto/serialize';
import { loadOrCreateLocalKey, localKeyring } from '../../../shared/seal/index.js';

/** The stock SDK client, as a department consumer would build it. */
export const stock = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);

/** A fresh key folder, removed after the test file. */
export function tempKeyDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sealpost-seal-test-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'keys');
}

/** Local keyrings for the given department names, from fresh key files. */
export function departmentKeyrings(...names: string[]): Map<string, KeyringNode> {
  const dir = tempKeyDir();
  return new Map(names.map((n) => [n, localKeyring(n, loadOrCreateLocalKey(dir, n))]));
}

const { deserializeMessageHeader } = deserializeFactory((b: Uint8Array) => Buffer.from(b).toString('utf8'), NodeAlgorithmSuite);

/** The parsed header of a base64 or binary ESDK message (to look at message ids and encrypted data keys). */
export function headerOf(message: string | Buffer) {
  const bytes = typeof message === 'string' ? Buffer.from(message, 'base64') : message;
  const info = deserializeMessageHeader(bytes);
  if (!info) throw new Error('not a complete ESDK header');
  return info;
}

/** The encrypted data key bytes of a message, hex: equal for messages sealed under the same materials. */
export function edkOf(message: string | Buffer): string {
  return Buffer.from(headerOf(message).messageHeader.encryptedDataKeys[0]!.encryptedDataKey).toString('hex');
}
