export { SECRET_FILE_ERRORS } from './errors.js';
export { assertOwnerOnlyDir, assertOwnerOnlyFile, ensureOwnerOnlyDir } from './owner-only.js';
export { loadOrCreateSecretFile, readSecretFile, writeSecretFile } from './secret-file.js';
export { prepareOwnerOnlyDatabase } from './sqlite-files.js';
