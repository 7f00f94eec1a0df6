/** Stable codes of the console side of sign-in and of the admin client. */
export const SIGN_IN_ERRORS = {
  /** The profile's credentials could not be resolved (expired SSO session, missing profile...). */
  credentials: 'SP_SIGN_IN_CREDENTIALS',
  /** The admin API could not be reached (network, TLS, timeout). */
  unreachable: 'SP_ADMIN_CLIENT_UNREACHABLE',
  /** The admin API answered something that is not the contract (another server, a proxy page). */
  badAnswer: 'SP_ADMIN_CLIENT_BAD_ANSWER',
  /** A call that needs a session was made before signIn() (or useToken()). */
  notSignedIn: 'SP_ADMIN_CLIENT_NOT_SIGNED_IN',
} as const;
