export { createAdminClient, type AdminClient, type AdminClientOptions, type SignInWith } from './admin-client.js';
export { signLoginRequest, type SignLoginOptions } from './sign-login.js';
export { GET_CALLER_IDENTITY_BODY, SERVER_ID_HEADER, NONCE_HEADER } from '../admin-api/sign-in-wire.js';
export { SIGN_IN_ERRORS } from './errors.js';
