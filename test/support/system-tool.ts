// Runs a system tool the deploy checks need (systemd-analyze, promtool). A missing tool FAILS the test with the
// Debian package to install (.ci/run installs them): a check that silently skips would let a broken file ship.
import { spawnSync } from 'node:child_process';

/** Runs `tool args...`; throws naming the Debian package when the tool is not installed. */
export function runTool(tool: string, debianPackage: string, args: string[], opts: { cwd?: string } = {}): { status: number | null; stdout: string; stderr: string } {
  const res = spawnSync(tool, args, { encoding: 'utf8', cwd: opts.cwd, timeout: 60_000 });
  if ((res.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error(`${tool} is not installed: apt-get install ${debianPackage} (.ci/run installs it)`);
  }
  if (res.error) throw res.error;
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}
