/** Error codes the HTTP layer raises itself. */
export const HTTP_ERRORS = {
  unknownSource: 'SP_SOURCE_UNKNOWN',
  bodyTooLarge: 'SP_BODY_TOO_LARGE',
  notFound: 'SP_NOT_FOUND',
  internal: 'SP_INTERNAL',
} as const;
