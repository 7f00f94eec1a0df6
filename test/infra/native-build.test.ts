import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';

const run = promisify(execFile);
const script = fileURLToPath(new URL('../../scripts/native/build.mjs', import.meta.url));

/**
 * A throw-away root: scripts/native/build.mjs, an empty native/seal, a stand-in node-gyp that records its
 * arguments (so nothing is compiled or downloaded), and this Node binary at <root>/node/bin/node with no
 * include/ beside it — a Node installed without its headers.
 */
const root = mkdtempSync(join(tmpdir(), 'sealpost-native-build-'));
mkdirSync(join(root, 'scripts', 'native'), { recursive: true });
cpSync(script, join(root, 'scripts', 'native', 'build.mjs'));
mkdirSync(join(root, 'native', 'seal'), { recursive: true });
const gypArgs = join(root, 'gyp-args.json');
const gyp = join(root, 'fake-node-gyp.cjs');
writeFileSync(gyp, `require('node:fs').writeFileSync(${JSON.stringify(gypArgs)}, JSON.stringify(process.argv.slice(2)));\n`);
const bareNode = join(root, 'node', 'bin', 'node');
mkdirSync(dirname(bareNode), { recursive: true });
try {
  linkSync(process.execPath, bareNode);
} catch {
  copyFileSync(process.execPath, bareNode); // another filesystem, or hard links refused
}
after(() => rmSync(root, { recursive: true, force: true }));

async function build(node: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; gyp?: string[] }> {
  rmSync(gypArgs, { force: true });
  const e: NodeJS.ProcessEnv = { ...process.env, npm_config_node_gyp: gyp, ...env };
  if (!('SEALPOST_NATIVE_DOWNLOAD_HEADERS' in env)) delete e.SEALPOST_NATIVE_DOWNLOAD_HEADERS;
  const res = await run(node, [join(root, 'scripts', 'native', 'build.mjs'), ...args], { env: e, timeout: 20_000 }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (err: { code?: number; stdout?: string; stderr?: string }) => ({ code: err.code ?? -1, out: `${err.stdout}${err.stderr}` }),
  );
  return existsSync(gypArgs) ? { ...res, gyp: JSON.parse(readFileSync(gypArgs, 'utf8')) as string[] } : res;
}

describe('npm run build:native and Node headers', () => {
  it('without local headers skips the build (never a download that stalls an offline server) and says why', async () => {
    const r = await build(bareNode, []);
    assert.equal(r.code, 0, r.out);
    assert.equal(r.gyp, undefined, 'node-gyp not run');
    assert.match(r.out, /native sealing core not built \(no Node headers at .*SEALPOST_NATIVE_DOWNLOAD_HEADERS=1/);
  });

  it('downloads them when asked: SEALPOST_NATIVE_DOWNLOAD_HEADERS=1 or --strict', async () => {
    for (const [args, env] of [[[], { SEALPOST_NATIVE_DOWNLOAD_HEADERS: '1' }], [['--strict'], {}]] as const) {
      const r = await build(bareNode, [...args], env);
      assert.deepEqual(r.gyp, ['rebuild'], `node-gyp run without --nodedir (${r.out})`);
      assert.equal(r.code, 0, r.out);
    }
  });

  it('with the headers beside node builds against them', async (t) => {
    const nodedir = resolve(dirname(process.execPath), '..');
    if (!existsSync(join(nodedir, 'include', 'node', 'node_api.h'))) return t.skip(`this Node has no headers at ${nodedir}/include/node`);
    const r = await build(process.execPath, []);
    assert.deepEqual(r.gyp, ['rebuild', `--nodedir=${nodedir}`], r.out);
  });
});
