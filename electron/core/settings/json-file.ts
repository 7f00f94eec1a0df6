import { mkdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import type { z } from 'zod';
import { writeSecretFile } from '../../../shared/secret-files/index.js';

/**
 * Reads a console state file through its schema. Missing → the schema's defaults; damaged (bad JSON or
 * shape) → set aside as `<file>.damaged-<time>` and defaults used, so a broken file is never trusted
 * and never silently overwritten.
 */
export function readStateFile<S extends z.ZodType>(file: string | null, schema: S): z.infer<S> {
  if (file) {
    try {
      return schema.parse(JSON.parse(readFileSync(file, 'utf8')));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        try {
          renameSync(file, `${file}.damaged-${Date.now()}`);
        } catch {
          /* nothing to set aside */
        }
      }
    }
  }
  return schema.parse({});
}

/**
 * Writes a console state file owner-only, atomically, through shared/secret-files (a fresh 0600 file
 * renamed over the old one, so neither a looser old mode nor a planted link survives). No-op without a file.
 */
export function writeStateFile(file: string | null, value: unknown): void {
  if (!file) return;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeSecretFile(file, JSON.stringify(value, null, 2));
}
