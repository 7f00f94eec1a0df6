// Runs the Python department-consumer recipe (docs/recipes/python/consume.py) for the interop tests.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { venvPython } from '../support/moto.js';

/** The recipe, kept in the repository as documentation that runs. */
export const PYTHON_RECIPE = fileURLToPath(new URL('../../docs/recipes/python/consume.py', import.meta.url));

/** One JSON line of the recipe's stdout. */
export type Line = Record<string, unknown>;

/** Runs the recipe with the tools' Python (stock aws-encryption-sdk + confluent-kafka); its lines, stderr and exit code. */
export function runPythonRecipe(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; lines: Line[]; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(venvPython(), [PYTHON_RECIPE, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr: err, lines: out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line) });
    });
  });
}
