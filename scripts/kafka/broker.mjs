// Local single-node Kafka (KRaft, broker+controller in one JVM) built from the jars Maven Central serves,
// so tests and `npm run kafka:up` get a real broker without Docker. Used by scripts/kafka/kafka.mjs (CLI)
// and test/support/kafka.ts (tests). Types: broker.d.mts. Jars: jars.mjs; the lock file: process-lock.mjs.
//
// Layout (all gitignored):
//   .tools/kafka/libs/          jars, fetched by `mvn dependency:copy-dependencies` (scripts/kafka/pom.xml)
//   .kafka/<name>/data/         KRaft metadata + topic data (formatted with kafka.tools.StorageTool on first start)
//   .kafka/<name>/broker.log    log4j output;  stdout.log: JVM stdout/stderr (crashes before log4j starts)
//   .kafka/<name>/broker.pid    pid of the running JVM
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

export { KAFKA_HOME, LIBS_DIR, ROOT, SHARED } from './paths.mjs';
export { fetchJars, jarsPresent } from './jars.mjs';
export { pidAlive, withLock } from './process-lock.mjs';
import { KAFKA_HOME, LIBS_DIR, SHARED } from './paths.mjs';
import { fetchJars } from './jars.mjs';
import { pidAlive, withLock } from './process-lock.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Paths of one named instance. */
export function instancePaths(name) {
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(name)) throw new Error(`kafka: bad instance name ${JSON.stringify(name)}`);
  const dir = join(KAFKA_HOME, name);
  return {
    dir,
    data: join(dir, 'data'),
    config: join(dir, 'server.properties'),
    log4j: join(dir, 'log4j.properties'),
    log: join(dir, 'broker.log'),
    stdout: join(dir, 'stdout.log'),
    pid: join(dir, 'broker.pid'),
    lock: join(KAFKA_HOME, `${name}.lock`),
  };
}

/** The pid of this instance's JVM when it is running (checked against /proc cmdline where available). */
export function runningPid(name) {
  const p = instancePaths(name);
  let pid;
  try {
    pid = Number(readFileSync(p.pid, 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !pidAlive(pid)) return undefined;
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!cmd.includes(p.config)) return undefined; // pid reused by another process
  } catch { /* no /proc (macOS): trust the pid file */ }
  return pid;
}

function writeConfig(inst) {
  const p = instancePaths(inst.name);
  mkdirSync(p.data, { recursive: true });
  const props = {
    'process.roles': 'broker,controller',
    'node.id': '1',
    'controller.quorum.voters': `1@127.0.0.1:${inst.controllerPort}`,
    'listeners': `PLAINTEXT://127.0.0.1:${inst.port},CONTROLLER://127.0.0.1:${inst.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${inst.port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': p.data,
    'auto.create.topics.enable': 'true',
    'delete.topic.enable': 'true',
    'num.partitions': '6',
    'default.replication.factor': '1',
    'min.insync.replicas': '1',
    'offsets.topic.replication.factor': '1',
    'offsets.topic.num.partitions': '10',
    'transaction.state.log.replication.factor': '1',
    'transaction.state.log.min.isr': '1',
    'transaction.state.log.num.partitions': '4',
    'group.initial.rebalance.delay.ms': '0',
    'num.network.threads': '2',
    'num.io.threads': '4',
    'num.recovery.threads.per.data.dir': '1',
    'log.retention.hours': '24',
    'log.segment.bytes': String(64 * 1024 * 1024),
    'log.cleaner.dedupe.buffer.size': String(8 * 1024 * 1024),
    'socket.request.max.bytes': String(100 * 1024 * 1024),
  };
  writeFileSync(p.config, Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  writeFileSync(
    p.log4j,
    [
      'log4j.rootLogger=INFO, file',
      'log4j.appender.file=org.apache.log4j.RollingFileAppender',
      `log4j.appender.file.File=${p.log}`,
      'log4j.appender.file.MaxFileSize=20MB',
      'log4j.appender.file.MaxBackupIndex=2',
      'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
      'log4j.logger.kafka.request.logger=WARN',
      'log4j.logger.state.change.logger=WARN',
      'log4j.logger.org.apache.kafka.clients=WARN',
      '',
    ].join('\n'),
  );
  return p;
}

function javaArgs(p, heapMb) {
  return [
    `-Xmx${heapMb}m`,
    `-Xms${Math.min(heapMb, 128)}m`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${p.log4j}`,
    `-Dkafka.logs.dir=${p.dir}`,
    '-cp',
    join(LIBS_DIR, '*'),
  ];
}

/**
 * Kafka cluster ids are 16 random bytes, base64url without padding (what StorageTool random-uuid prints).
 * One in 64 starts with "-", which StorageTool's argument parser takes for an option: draw again (Kafka's
 * own Uuid.randomUuid avoids those too).
 */
function clusterId() {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function format(p, heapMb) {
  if (existsSync(join(p.data, 'meta.properties'))) return;
  const res = spawnSync(
    'java',
    [...javaArgs(p, heapMb), 'kafka.tools.StorageTool', 'format', '-t', clusterId(), '-c', p.config, '--ignore-formatted'],
    { encoding: 'utf8' },
  );
  if (res.error) throw new Error(`kafka: cannot run java (${res.error.message}); install a JDK 17+`);
  if (res.status !== 0) throw new Error(`kafka: StorageTool format failed (exit ${res.status})\n${res.stdout}${res.stderr}`);
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function portOpen(port, timeoutMs = 500) {
  return new Promise((resolvePromise) => {
    const sock = connect({ host: '127.0.0.1', port });
    const done = (ok) => {
      sock.destroy();
      resolvePromise(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/**
 * True when a Kafka broker answers Metadata on the port with at least one registered broker (so topics can be
 * created): plain TCP accept is not enough, the listener opens before the broker is unfenced.
 */
export async function brokerAnswers(port, timeoutMs = 3000) {
  if (!(await portOpen(port))) return false;
  const { Kafka, logLevel } = (await import('kafkajs')).default;
  const kafka = new Kafka({
    clientId: 'sealpost-kafka-probe',
    brokers: [`127.0.0.1:${port}`],
    logLevel: logLevel.NOTHING,
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null && cluster.controller !== -1;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

function tail(file, lines = 30) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Starts the instance's JVM detached (it outlives the caller and holds no handle on it) and waits until the
 * broker answers. Formats the data dir on first start. No-op when already running.
 */
export async function startInstance(inst, { heapMb = 512, timeoutMs = 120_000 } = {}) {
  await fetchJars({ quiet: true });
  const p = writeConfig(inst);
  let pid = runningPid(inst.name);
  if (pid === undefined) {
    if (await portOpen(inst.port)) {
      throw new Error(`kafka: port ${inst.port} is taken by another process, cannot start instance ${inst.name}`);
    }
    format(p, heapMb);
    const out = openSync(p.stdout, 'a');
    const child = spawn('java', [...javaArgs(p, heapMb), 'kafka.Kafka', p.config], {
      cwd: p.dir,
      detached: true,
      stdio: ['ignore', out, out],
    });
    closeSync(out);
    child.unref();
    pid = child.pid;
    if (pid === undefined) throw new Error('kafka: failed to spawn java');
    writeFileSync(p.pid, String(pid));
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await brokerAnswers(inst.port)) return { pid, brokers: [`127.0.0.1:${inst.port}`] };
    if (!pidAlive(pid)) {
      throw new Error(`kafka: broker ${inst.name} exited during start-up\n${tail(p.stdout)}\n${tail(p.log)}`);
    }
    await sleep(250);
  }
  throw new Error(`kafka: broker ${inst.name} did not answer on ${inst.port} within ${timeoutMs} ms\n${tail(p.log)}`);
}

/** Stops the instance cleanly (SIGTERM → controlled shutdown, data flushed); SIGKILL after timeoutMs. */
export async function stopInstance(name, { timeoutMs = 30_000 } = {}) {
  const p = instancePaths(name);
  const pid = runningPid(name);
  if (pid !== undefined) {
    try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
    const deadline = Date.now() + timeoutMs;
    while (pidAlive(pid) && Date.now() < deadline) await sleep(100);
    if (pidAlive(pid)) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      while (pidAlive(pid)) await sleep(50);
    }
  }
  rmSync(p.pid, { force: true });
  return pid !== undefined;
}

/** Stops the instance and removes its data and logs. */
export async function destroyInstance(name) {
  await stopInstance(name);
  rmSync(instancePaths(name).dir, { recursive: true, force: true });
}

/**
 * Starts the instance unless a broker already answers on its port (ours, or another checkout's on the same port),
 * under a cross-process lock so concurrent callers start exactly one JVM.
 */
export async function ensureInstance(inst) {
  const brokers = [`127.0.0.1:${inst.port}`];
  if (await brokerAnswers(inst.port)) return { brokers };
  return withLock(instancePaths(inst.name).lock, async () => {
    if (await brokerAnswers(inst.port)) return { brokers };
    if (runningPid(inst.name) === undefined && (await portOpen(inst.port))) {
      // Another checkout's broker may be starting on the same port: give it time before calling the port taken.
      const deadline = Date.now() + 90_000;
      while (Date.now() < deadline && (await portOpen(inst.port))) {
        if (await brokerAnswers(inst.port)) return { brokers };
        await sleep(500);
      }
    }
    await startInstance(inst);
    return { brokers };
  });
}

/** The shared broker on 39092 (see ensureInstance). */
export function ensureShared() {
  return ensureInstance(SHARED);
}
