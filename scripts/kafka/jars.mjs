// The broker's jars, fetched from Maven Central by `mvn dependency:copy-dependencies` (scripts/kafka/pom.xml).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { KAFKA_HOME, LIBS_DIR, ROOT } from './paths.mjs';
import { withLock } from './process-lock.mjs';

const POM = join(ROOT, 'scripts', 'kafka', 'pom.xml');
/** True when the jars are present (kafka_2.13 + the logging binding). */
export function jarsPresent() {
  if (!existsSync(LIBS_DIR)) return false;
  const names = readdirSync(LIBS_DIR);
  return names.some((n) => /^kafka_2\.13-.*\.jar$/.test(n)) && names.some((n) => /^slf4j-reload4j-.*\.jar$/.test(n));
}

/** Fetches the broker jars from Maven Central unless already there (cross-process safe). */
export async function fetchJars({ quiet = false } = {}) {
  if (jarsPresent()) return;
  mkdirSync(KAFKA_HOME, { recursive: true });
  await withLock(join(KAFKA_HOME, 'fetch.lock'), async () => {
    if (jarsPresent()) return;
    if (!quiet) console.error('kafka: fetching broker jars from Maven Central (mvn dependency:copy-dependencies)…');
    const res = spawnSync('mvn', ['-q', '-B', '-f', POM, 'dependency:copy-dependencies'], {
      stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
      encoding: 'utf8',
    });
    if (res.error) throw new Error(`kafka: cannot run mvn (${res.error.message}); install Maven and a JDK 17+`);
    if (res.status !== 0 || !jarsPresent()) {
      throw new Error(`kafka: mvn dependency:copy-dependencies failed (exit ${res.status})\n${res.stdout ?? ''}${res.stderr ?? ''}`);
    }
  }, 600_000);
}
