// Where the local broker's jars and instances live (all gitignored; layout in broker.mjs).
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const LIBS_DIR = join(ROOT, '.tools', 'kafka', 'libs');
export const KAFKA_HOME = join(ROOT, '.kafka');
export const SHARED = Object.freeze({ name: 'shared', port: 39092, controllerPort: 39093 });
