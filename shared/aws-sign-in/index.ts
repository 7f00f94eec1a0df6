export { createAdminClient, type AdminClient, type AdminClientOptions, type SignInWith } from './admin-client.js';
export { signLoginRequest, GET_CALLER_IDENTITY_BODY, SERVER_ID_HEADER, NONCE_HEADER, type SignLoginOptions } from './sign-login.js';
export { SIGN_IN_ERRORS } from './errors.js';
