export { createVerifier } from './create-verifier.js';
export { confirmSubscription, type ConfirmDeps } from './confirm-subscription.js';
export { VERIFY_ERRORS, VERIFY_REASONS, type VerifyReason } from './errors.js';
export { SENDGRID_SIGNATURE_HEADER, SENDGRID_TIMESTAMP_HEADER } from './sendgrid-signature.js';
export { EVENTS_SIGNATURE_HEADER, EVENTS_TIMESTAMP_HEADER, eventsHmac } from './hmac.js';
export { checkSnsUrl, checkSigningCertUrl } from './sns-url.js';
export { decodeStrictBase64 } from './strict-base64.js';
export type { RequestHeaders } from './headers.js';
export type { SnsMessageType, Verified, VerifyDeps, Verifier, VerifyLog, VerifyMethod, VerifyRequest } from './types.js';
