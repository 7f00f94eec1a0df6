// deploy/systemd/sealpost-ingest.service: valid for systemd (systemd-analyze verify, no warning), contained
// (systemd-analyze security, the score docs/deploy.md quotes), and pointing at what `npm run build` produces.
import assert from 'node:assert/strict';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runTool } from '../support/system-tool.js';

const UNIT = 'deploy/systemd/sealpost-ingest.service';
const NAME = 'sealpost-ingest.service';
const unitText = readFileSync(UNIT, 'utf8');

/** `Key=value` lines of the unit (last one wins, as systemd reads them; lists kept whole). */
function directives(text: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const hit = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (hit) m.set(hit[1]!, [...(m.get(hit[1]!) ?? []), hit[2]!]);
  }
  return m;
}

/**
 * A root holding the distro's units (systemd needs sysinit.target...), the unit under test, and executable
 * stand-ins for the commands it runs, so verify checks the unit, not where this machine keeps node.
 */
function verifyRoot(unit: string): string {
  const root = mkdtempSync(join(tmpdir(), 'sealpost-systemd-'));
  mkdirSync(join(root, 'usr/lib/systemd'), { recursive: true });
  cpSync('/usr/lib/systemd/system', join(root, 'usr/lib/systemd/system'), { recursive: true, verbatimSymlinks: true });
  symlinkSync('usr/lib', join(root, 'lib'));
  mkdirSync(join(root, 'etc/systemd/system'), { recursive: true });
  writeFileSync(join(root, 'etc/systemd/system', NAME), unit);
  for (const exe of ['usr/bin/node', 'bin/kill']) {
    mkdirSync(join(root, exe, '..'), { recursive: true });
    writeFileSync(join(root, exe), '#!/bin/sh\n');
    chmodSync(join(root, exe), 0o755);
  }
  return root;
}

function verify(unit: string): { status: number | null; output: string } {
  const root = verifyRoot(unit);
  try {
    const r = runTool('systemd-analyze', 'systemd', ['verify', '--man=no', `--root=${root}`, `/etc/systemd/system/${NAME}`]);
    return { status: r.status, output: (r.stdout + r.stderr).trim() };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

describe('systemd unit', () => {
  it('passes systemd-analyze verify without a single warning', () => {
    const r = verify(unitText);
    assert.equal(r.status, 0, r.output);
    assert.equal(r.output, '', 'verify printed warnings');
  });

  it('the check catches a mistyped directive and a missing executable', () => {
    assert.match(verify(unitText.replace('PrivateTmp=yes', 'PrivateTemp=yes')).output, /Unknown key 'PrivateTemp'/);
    const r = verify(unitText.replaceAll('/usr/bin/node', '/usr/bin/nodejs-missing'));
    assert.notEqual(r.status, 0);
    assert.match(r.output, /nodejs-missing is not executable/);
  });

  it('contains the service as docs/deploy.md says: exposure 1.1 in systemd-analyze security', () => {
    const r = runTool('systemd-analyze', 'systemd', ['security', '--offline=yes', '--no-pager', UNIT]);
    const score = /Overall exposure level for .*: (\d+\.\d+)/.exec(r.stdout)?.[1];
    assert.equal(score, '1.1', r.stdout.slice(-500));
    assert.match(readFileSync('docs/deploy.md', 'utf8'), /exposure level 1\.1/);
  });

  it('has the directives operators expect, and runs what npm run build produces', () => {
    const d = directives(unitText);
    for (const [key, value] of Object.entries({
      DynamicUser: 'yes',
      StateDirectory: 'sealpost',
      StateDirectoryMode: '0700',
      ProtectSystem: 'strict',
      NoNewPrivileges: 'yes',
      PrivateTmp: 'yes',
      RestrictAddressFamilies: 'AF_INET AF_INET6 AF_UNIX',
      Restart: 'on-failure',
      ExecReload: '/bin/kill -HUP $MAINPID',
      KillSignal: 'SIGTERM',
      CapabilityBoundingSet: '',
    })) {
      assert.deepEqual(d.get(key), [value], key);
    }
    assert.ok(Number(d.get('LimitNOFILE')?.[0]) >= 65536);
    const main = /\/opt\/sealpost\/(\S+)/.exec(d.get('ExecStart')![0]!)![1]!;
    assert.equal(main, 'dist/ingest-service/src/main.js');
    assert.match(JSON.parse(readFileSync('package.json', 'utf8')).scripts['start:prod'], new RegExp(main.replaceAll('.', '\\.')));
  });
});
