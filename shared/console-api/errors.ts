/** Error codes raised at the contract boundary (IPC and the HTTP bridge). */
export const CONSOLE_API_ERRORS = {
  /** The arguments did not match the channel's schema. */
  badArgs: 'SP_CONSOLE_BAD_ARGS',
  /** The call came from a frame or window the console did not create. */
  untrustedSender: 'SP_CONSOLE_UNTRUSTED_SENDER',
  /** No such channel. */
  unknownChannel: 'SP_CONSOLE_UNKNOWN_CHANNEL',
  /** Something failed that the console did not expect; details are in main's log, not here. */
  internal: 'SP_CONSOLE_INTERNAL',
} as const;
