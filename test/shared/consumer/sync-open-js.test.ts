// sync-open.test.ts again with the native core off (as in the Electron console, or SEALPOST_DEV_SEAL_NATIVE=0): the
// JavaScript twins of the synchronous path give the same events as the async path.
process.env.SEALPOST_DEV_SEAL_NATIVE = '0';
const { nativeSeal } = await import('../../../shared/seal/native-seal.js');
if (nativeSeal()) throw new Error('the native core should be off in this file');
await import('./sync-open.test.js');
