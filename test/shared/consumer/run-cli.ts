// Runs `npm run consume`'s program as a child process (as a department would), for the CLI and recipe tests.
import { spawn } from 'node:child_process';

/** What one CLI run printed and how it ended. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed, one object per line (jsonl format). */
  lines: Array<Record<string, unknown>>;
}

/** Spawns `node --import tsx scripts/consume/consume.ts ...args` and waits for it (killed after timeoutMs). */
export function runConsumeCli(args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; onStdout?: (text: string, child: { kill(signal: NodeJS.Signals): void; stdout: { destroy(): void } }) => void } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/consume/consume.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      opts.onStdout?.(stdout, child);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 90_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      const lines = stdout.startsWith('{') ? stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) : [];
      resolve({ code, stdout, stderr, lines });
    });
  });
}
