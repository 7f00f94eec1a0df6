import { hkdfSync } from 'node:crypto';
import { join, resolve } from 'node:path';
import { createBlindIndexer } from '../../../shared/blind-index/index.js';
import { departmentMaterials } from '../../../shared/kms/index.js';
import { createSectionSealer } from '../../../shared/seal/index.js';
import { createTallier } from '../activity/tally.js';
import { createIndexKeySource } from '../blind-index/index-key.js';
import type { Config } from '../config/index.js';
import type { KnownSource } from '../config/source-table.js';
import { parsePayload } from '../parse/index.js';
import type { Expand, ExpandStats, ForgetNotice } from './contract.js';
import { createExpander } from './expander.js';
import { createSuppressionDeriver, suppressRules } from '../suppressions/derive-records.js';
import { createSubjectKeyring } from './subject-keys/subject-keyring.js';
import { openForgottenLookup } from '../subject-keys/forgotten-lookup.js';

/** What the pipeline is started with besides the config: this process's instance id. */
export interface ExpandPipelineOptions {
  instance: string;
}

/**
 * Everything that turns a journal entry into sealed records, built from the config: department
 * materials (local or KMS), the sealer, the blind index and the parser. It runs inside the expand
 * worker so that sealing never delays an acknowledgement on the main thread.
 *
 * The blind-index key may be wrapped under KMS: when KMS is away at start, expand() rejects with a
 * retriable error (the forwarder backs off, events wait in the journal) and the key is fetched again.
 */
export function createExpandPipeline(
  config: Config,
  sourceTable: readonly KnownSource[],
  opts: ExpandPipelineOptions,
): { expand: Expand; stats(): ExpandStats; forgotten(notices: readonly ForgetNotice[]): void; shredded(recordKeys: readonly string[]): void; produced(recordKeys: readonly string[]): void; close(): Promise<void> } {
  const keysDir = join(resolve(config.dataDir), 'keys');
  const materials = departmentMaterials(config.policy, { localDir: keysDir, ...(config.kms ? { kms: config.kms } : {}) });
  const sealer = createSectionSealer({ materialsFor: (d, hooks) => materials.materialsFor(d, hooks), limits: materials.limits });
  const sources = new Map(sourceTable.map((s) => [s.id, s]));
  // Every forget this instance knows, read from the keys-topic follower's store (read-only, its own handle).
  const forgottenLookup = config.subjectKeys.enabled ? openForgottenLookup(resolve(config.dataDir)) : undefined;
  const subjectKeys = config.subjectKeys.enabled
    ? createSubjectKeyring({
        topic: config.subjectKeys.topic,
        cacheSize: config.subjectKeys.cacheSize,
        instance: opts.instance,
        departments: Object.keys(config.policy.departments),
        seal: (keys) => sealer.sealSubjectKeys(keys),
        discard: (keys) => sealer.discardSubjectKeys(keys),
        ...(forgottenLookup ? { forgottenSource: forgottenLookup } : {}),
      })
    : undefined;
  // The one source of the blind-index key (the forget call indexes addresses with the same one).
  const indexKey = createIndexKeySource(config);

  let expander: Expand | undefined;
  const ready = async (): Promise<Expand> => {
    if (expander) return expander;
    const key = await indexKey.load();
    const blindIndex = createBlindIndexer(key);
    expander = createExpander({
      policy: config.policy,
      sealer,
      blindIndex,
      sources,
      parse: (kind, body, receivedAt) => parsePayload(kind, body, receivedAt, { idKey: key }),
      ...(config.activity.enabled
        ? {
            tally: createTallier({
              policy: config.policy,
              sealer,
              // Link references: keyed like the blind index (instances sharing its key agree), on a key of their own.
              linkKey: Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'sealpost activity link-ref', 32)),
              sesCategoryTag: config.activity.sesCategoryTag,
            }),
          }
        : {}),
      ...(subjectKeys ? { subjectKeys } : {}),
      ...(config.suppressions.enabled
        ? { suppressions: createSuppressionDeriver({ policy: config.policy, sealer, blindIndex, rules: suppressRules(config.sources), topic: config.suppressions.topic, ...(subjectKeys ? { subjectKeys } : {}) }) }
        : {}),
    });
    return expander;
  };

  return {
    async expand(entry) {
      return (await ready())(entry);
    },
    stats() {
      const s = sealer.stats();
      const kms = materials.kmsCalls();
      const idx = indexKey.kmsCalls();
      const sk = subjectKeys?.stats();
      return {
        sectionsSealed: s.sectionsSealed,
        keyringCalls: s.keyringCalls,
        kmsCalls: kms.total + (idx?.total ?? 0),
        kmsFailedCalls: kms.failed + (idx?.failed ?? 0),
        subjectKeysCreated: sk?.keysCreated ?? 0,
      };
    },
    forgotten: (notices) => subjectKeys?.forgotten(notices),
    shredded: (recordKeys) => subjectKeys?.shredded(recordKeys),
    produced: (recordKeys) => subjectKeys?.produced(recordKeys),
    async close() {
      subjectKeys?.close();
      await sealer.close();
      materials.close();
      indexKey.close();
      forgottenLookup?.close();
    },
  };
}
