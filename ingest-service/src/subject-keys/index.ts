export { SUBJECT_KEYS_ERRORS } from './errors.js';
export { createSubjectForgetter, type ForgetOutcome, type SubjectForgetter } from './forget.js';
export { createKeysFollower, type KeysFollower } from './follower.js';
export { openKeysStore, KEYS_STORE_FILE, type KeysStore } from './keys-store.js';
export { startSubjectKeys, type SubjectKeysService } from './start-subject-keys.js';
export { openForgottenLookup, type ForgottenLookup } from './forgotten-lookup.js';
