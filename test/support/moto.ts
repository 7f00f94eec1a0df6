// A real KMS/STS-compatible HTTP server (moto, from PyPI, installed into .tools/venv by scripts/moto/setup.sh)
// started per test, so KMS code is exercised over the wire with the real AWS SDK v3 instead of a mock.
//
// HOW MOTO SEPARATES ACCOUNTS (moto 5, moto/core/responses.py get_current_account), first match wins:
//   1. env MOTO_ACCOUNT_ID of the moto process — forces ONE account for everything; startMoto() removes it.
//   2. request header `x-moto-account-id: <12 digits>`.
//   3. the request's access key id, looked up in moto's IAM: keys handed out by STS AssumeRole (and IAM
//      CreateAccessKey) belong to the account of the role/user. AssumeRole does not need the role to exist, so
//      AssumeRole(RoleArn=arn:aws:iam::<account>:role/<any>) yields credentials for <account>.
//   4. anything else (e.g. made-up static keys) → the default account 123456789012.
// KMS keys live per account and region: for account B, A's key is NotFoundException (DescribeKey/Encrypt, even by
// full ARN) and A's ciphertext is AccessDeniedException on Decrypt. accountCredentials() below uses mechanism 3, which is what a deployment assuming a role per
// department does too. The secret key is never checked (no SigV4 verification).
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';

// Never let an SDK call in a test fall back to instance metadata, SSO or a developer's ~/.aws profile.
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.AWS_CONFIG_FILE ??= '/dev/null';
process.env.AWS_SHARED_CREDENTIALS_FILE ??= '/dev/null';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

/** The region tests use against moto (any region works; one constant keeps ARNs predictable). */
export const MOTO_REGION = 'eu-west-1';
/** moto's default account: requests with unknown access keys land here. */
export const MOTO_DEFAULT_ACCOUNT = '123456789012';
/**
 * Static credentials for the default account (moto does not verify secrets). A function, not a shared object:
 * the SDK writes bookkeeping fields onto the credentials object it is given.
 */
export function motoDefaultCredentials(): MotoCredentials {
  return { accessKeyId: 'testing', secretAccessKey: 'testing' };
}

/** The venv's python (moto, aws-encryption-sdk), for tests that run the Python side of an interop check. */
export function venvPython(): string {
  return join(ROOT, '.tools', 'venv', 'bin', 'python');
}

/** A running moto server; stop() kills it (state is in memory, so it is gone). */
export interface MotoServer {
  endpoint: string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? res(addr.port) : rej(new Error('no port'))));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts a fresh moto server (empty state) on a free 127.0.0.1 port and resolves once it answers.
 * Needs `npm run tools:setup` once. The process does not keep the test runner alive; still call stop().
 */
export async function startMoto(opts: { timeoutMs?: number } = {}): Promise<MotoServer> {
  const python = venvPython();
  try {
    readFileSync(python);
  } catch {
    throw new Error(`moto: ${python} missing; run \`npm run tools:setup\` (scripts/moto/setup.sh)`);
  }
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const c of running) c.kill('SIGKILL');
    });
  }
  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const logDir = mkdtempSync(join(tmpdir(), 'sealpost-moto-'));
    const logFile = join(logDir, 'moto.log');
    const fd = openSync(logFile, 'a');
    const env = { ...process.env };
    delete env.MOTO_ACCOUNT_ID; // would collapse every account into one
    const child = spawn(python, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
      stdio: ['ignore', fd, fd],
      env,
    });
    closeSync(fd);
    child.unref();
    running.add(child);
    let exited = false;
    child.once('exit', () => {
      exited = true;
      running.delete(child);
    });
    const endpoint = `http://127.0.0.1:${port}`;
    const stop = async (): Promise<void> => {
      if (!exited) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([gone, sleep(5000)]);
        if (!exited) child.kill('SIGKILL');
      }
      rmSync(logDir, { recursive: true, force: true });
    };
    const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
    while (Date.now() < deadline && !exited) {
      try {
        const probe = await fetch(`${endpoint}/moto-api/data.json`);
        await probe.arrayBuffer();
        if (probe.ok) return { endpoint, stop };
      } catch {
        /* not listening yet */
      }
      await sleep(150);
    }
    lastError = readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n');
    await stop();
  }
  throw new Error(`moto: server did not come up\n${lastError}`);
}

/** SDK credentials, the shape every @aws-sdk v3 client accepts. */
export interface MotoCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * Credentials that moto attributes to `accountId` (12 digits), via STS AssumeRole into a role of that account —
 * the same way a department's role is assumed in production. Use one account per department to prove isolation.
 */
export async function accountCredentials(endpoint: string, accountId: string, roleName = 'sealpost-test'): Promise<MotoCredentials> {
  const sts = new STSClient({ endpoint, region: MOTO_REGION, credentials: motoDefaultCredentials() });
  try {
    const out = await sts.send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountId}:role/${roleName}`, RoleSessionName: 'test' }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('moto: AssumeRole returned no credentials');
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
  } finally {
    sts.destroy();
  }
}
