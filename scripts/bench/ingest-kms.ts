/**
 * `npm run bench:ingest -- --kms`: the ingest benchmark with every department key in KMS, on a moto
 * server (test/support/moto.ts), so the figure includes the service's real KMS traffic.
 *
 * What it does to the bench config: one KMS key per department of `config.policy` (support, security,
 * analytics in the default policy), created in moto's default account; the departments' keys become
 * `[{ kms: arn }]`; `config.kms = { region, endpoint }`. The service child gets static credentials that
 * moto attributes to that account, and no way to fall back to a developer's profile or instance role.
 *
 * How KMS calls are counted, independently of the service: moto's request recorder
 * (`/moto-api/recorder/start-recording`, started after the keys exist, written to a temp file) logs
 * every request moto answers; `calls()` counts the GenerateDataKey and Encrypt requests in it (the
 * X-Amz-Target header). The service's own `sealpost_kms_calls_total` (its /metrics, read from the
 * bench config's listen address) is printed beside it as a cross-check, and used only if the recorder
 * cannot be read.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { MOTO_REGION, motoDefaultCredentials, startMoto } from '../../test/support/moto.js';

/** What bench/ingest.ts needs: env for the service child, cleanup, and the KMS calls the service made. */
export interface BenchKms {
  env: Record<string, string>;
  stop(): Promise<void>;
  calls(): Promise<number>;
}

const SEALING_OPERATIONS = new Set(['TrentService.GenerateDataKey', 'TrentService.Encrypt']);
const log = (...a: unknown[]): void => console.error('[bench:kms]', ...a);

/** Sealing requests (GenerateDataKey, Encrypt) in a moto recording (JSON lines of { headers, ... }). */
export function countSealingCalls(recording: string): number {
  let n = 0;
  for (const line of recording.split('\n')) {
    if (!line.trim()) continue;
    const headers = (JSON.parse(line) as { headers?: Record<string, string> }).headers ?? {};
    const target = Object.entries(headers).find(([k]) => k.toLowerCase() === 'x-amz-target')?.[1];
    if (target && SEALING_OPERATIONS.has(target)) n++;
  }
  return n;
}

async function serviceMetric(config: Record<string, unknown>, name: string): Promise<number | undefined> {
  const listen = config.listen as { host?: string; port?: number } | undefined;
  if (!listen?.port) return undefined;
  try {
    const text = await (await fetch(`http://${listen.host ?? '127.0.0.1'}:${listen.port}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
    return line ? Number(line.split(' ').pop()) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts moto, creates the department keys, and rewrites `config` (in place: the bench writes it to
 * the service's config file next) to seal with them. Why in place: ingest.ts owns the config object.
 */
export async function setupBenchKms(config: Record<string, unknown>): Promise<BenchKms> {
  const recordingDir = mkdtempSync(join(tmpdir(), 'sealpost-bench-kms-'));
  const recordingFile = join(recordingDir, 'moto-recording.jsonl');
  // moto reads the recorder's file path from its environment (the child inherits ours).
  const previous = process.env.MOTO_RECORDER_FILEPATH;
  process.env.MOTO_RECORDER_FILEPATH = recordingFile;
  const moto = await startMoto().finally(() => {
    if (previous === undefined) delete process.env.MOTO_RECORDER_FILEPATH;
    else process.env.MOTO_RECORDER_FILEPATH = previous;
  });
  const stop = async (): Promise<void> => {
    await moto.stop();
    rmSync(recordingDir, { recursive: true, force: true });
  };
  try {
    const policy = config.policy as { departments: Record<string, { keys: unknown[] }> } & Record<string, unknown>;
    const kms = new KMSClient({ endpoint: moto.endpoint, region: MOTO_REGION, credentials: motoDefaultCredentials() });
    const departments: Record<string, unknown> = {};
    try {
      for (const [name, dept] of Object.entries(policy.departments)) {
        const out = await kms.send(new CreateKeyCommand({ Description: `sealpost bench: department ${name}` }));
        if (!out.KeyMetadata?.Arn) throw new Error('moto returned no key ARN');
        departments[name] = { ...dept, keys: [{ kms: out.KeyMetadata.Arn }] };
      }
    } finally {
      kms.destroy();
    }
    // A copy: the policy object may be the shared DEFAULT_POLICY.
    config.policy = { ...policy, departments };
    config.kms = { region: MOTO_REGION, endpoint: moto.endpoint };
    const started = await fetch(`${moto.endpoint}/moto-api/recorder/start-recording`, { method: 'POST' });
    await started.arrayBuffer();
    if (!started.ok) throw new Error(`moto recorder did not start: ${started.status}`);
    log(`moto at ${moto.endpoint}; ${Object.keys(departments).length} department keys; recording KMS requests`);
  } catch (err) {
    await stop();
    throw err;
  }

  const credentials = motoDefaultCredentials();
  return {
    env: {
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_SESSION_TOKEN: '',
      AWS_REGION: MOTO_REGION,
      AWS_DEFAULT_REGION: MOTO_REGION,
      // Never the instance role, nor a developer's profile.
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_PROFILE: '',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    },
    stop,
    async calls() {
      const fromService = await serviceMetric(config, 'sealpost_kms_calls_total');
      try {
        const res = await fetch(`${moto.endpoint}/moto-api/recorder/download-recording`);
        const recording = await res.text();
        if (!res.ok) throw new Error(`status ${res.status}`);
        const seen = countSealingCalls(recording);
        log(`KMS sealing calls seen by moto: ${seen}; the service's sealpost_kms_calls_total: ${fromService ?? 'n/a'}`);
        return seen;
      } catch (err) {
        log(`moto recording unreadable (${(err as Error).message}); using the service's sealpost_kms_calls_total`);
        if (fromService === undefined) throw new Error('no KMS call count: neither the moto recording nor the service metric could be read');
        return fromService;
      }
    },
  };
}
