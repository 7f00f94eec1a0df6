// Builds and runs the Java department-consumer recipe (docs/recipes/java) for the interop tests.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The recipe's Maven project, kept in the repository as documentation that runs. */
export const RECIPE_DIR = fileURLToPath(new URL('../../docs/recipes/java/', import.meta.url));

/** One line of the recipe's stdout: the consumer CLI's shape. */
export interface RecipeLine {
  /** null (with type, time, source) for a record that is not an envelope: locked "malformed". */
  id: string | null;
  type: string | null;
  time: string | null;
  source: string | null;
  partition: number;
  offset: string;
  clear: Record<string, unknown>;
  fields?: Record<string, unknown>;
  locked?: { reason: string; message: string };
}

/**
 * Compiles the recipe and writes its runtime classpath. Offline first (dependencies cached in ~/.m2 by an earlier
 * build or by .ci/run's fetch step: a few seconds); online when the cache lacks something.
 */
export function buildJavaRecipe(): string {
  const goals = ['-q', 'compile', 'dependency:build-classpath'];
  let res = spawnSync('mvn', ['-o', ...goals], { cwd: RECIPE_DIR, encoding: 'utf8', timeout: 300_000 });
  if (res.status !== 0) res = spawnSync('mvn', goals, { cwd: RECIPE_DIR, encoding: 'utf8', timeout: 600_000 });
  if (res.status !== 0) throw new Error(`mvn build of ${RECIPE_DIR} failed (${res.error?.message ?? res.status}):\n${res.stdout}\n${res.stderr}`);
  return `${join(RECIPE_DIR, 'target', 'classes')}:${readFileSync(join(RECIPE_DIR, 'target', 'classpath.txt'), 'utf8').trim()}`;
}

/** The recipe's environment: no AWS settings of the machine leak in, plus `env`. */
function recipeEnv(env: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: tmpdir(), AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_EC2_METADATA_DISABLED: 'true', ...env };
}

/** Runs the recipe with `args` in a clean AWS environment plus `env`; returns its JSON lines, stderr and exit code. */
export function runJavaRecipe(classpath: string, args: string[], env: Record<string, string> = {}): { lines: RecipeLine[]; stderr: string; status: number | null } {
  const res = spawnSync('java', ['-cp', classpath, 'sealpost.recipe.DepartmentConsumer', ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
    env: recipeEnv(env),
  });
  const lines = res.stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as RecipeLine);
  return { lines, stderr: res.stderr, status: res.status };
}

/** Starts the recipe in the background (a long-running consumer, as a department runs it); `stop` ends it. */
export function startJavaRecipe(classpath: string, args: string[], env: Record<string, string> = {}): { child: ChildProcess; stderr: () => string; stop(): Promise<void> } {
  const child = spawn('java', ['-cp', classpath, 'sealpost.recipe.DepartmentConsumer', ...args], { env: recipeEnv(env), stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    child,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
