/**
 * The AWS sign-in's wire constants, declared once for both sides: the console signs with them
 * (shared/aws-sign-in/sign-login.ts) and the service checks them (admin/sign-in/login-request.ts).
 * Two copies could drift, and a drift would lock every operator out, or let a header through unchecked.
 */

/** The only body a login may carry: STS's GetCallerIdentity, which needs no IAM permission. */
export const GET_CALLER_IDENTITY_BODY = 'Action=GetCallerIdentity&Version=2011-06-15';
/** The signed header that binds a login to one server (Vault's iam_server_id_header_value): a login signed for A is refused by B. */
export const SERVER_ID_HEADER = 'x-sealpost-server-id';
/** A signed random value, so two sign-ins in the same second are two signatures and the server can refuse one it has seen. */
export const NONCE_HEADER = 'x-sealpost-nonce';
