#!/usr/bin/env node
// CLI for the local Kafka broker (see broker.mjs). Usage:
//   node scripts/kafka/kafka.mjs up      start the shared broker on 127.0.0.1:39092 (idempotent), print bootstrap
//   node scripts/kafka/kafka.mjs down    stop it cleanly (data kept in .kafka/shared/)
//   node scripts/kafka/kafka.mjs down --all   also stop private test brokers a crashed test left behind (CI trap)
//   node scripts/kafka/kafka.mjs fetch   only fetch the jars from Maven Central into .tools/kafka/libs/
//   node scripts/kafka/kafka.mjs status  print whether it answers
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { brokerAnswers, ensureShared, fetchJars, instancePaths, KAFKA_HOME, SHARED, stopInstance } from './broker.mjs';

const cmd = process.argv[2] ?? 'up';
try {
  if (cmd === 'fetch') {
    await fetchJars();
    console.log('kafka: jars ready in .tools/kafka/libs/');
  } else if (cmd === 'up') {
    const started = Date.now();
    await fetchJars();
    const { brokers } = await ensureShared();
    console.error(`kafka: up in ${((Date.now() - started) / 1000).toFixed(1)} s, log ${instancePaths(SHARED.name).log}`);
    console.log(brokers.join(','));
  } else if (cmd === 'down') {
    const names = process.argv.includes('--all') && existsSync(KAFKA_HOME)
      ? readdirSync(KAFKA_HOME).filter((n) => existsSync(join(KAFKA_HOME, n, 'broker.pid')))
      : [SHARED.name];
    for (const name of names) {
      const stopped = await stopInstance(name);
      console.log(stopped ? `kafka: ${name} stopped` : `kafka: ${name} was not running (from this checkout)`);
    }
  } else if (cmd === 'status') {
    const ok = await brokerAnswers(SHARED.port);
    console.log(ok ? `kafka: answering on 127.0.0.1:${SHARED.port}` : 'kafka: not answering');
    process.exitCode = ok ? 0 : 1;
  } else {
    console.error(`usage: kafka.mjs up|down|fetch|status (got ${cmd})`);
    process.exitCode = 2;
  }
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
}
