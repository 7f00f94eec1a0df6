/** Error codes raised while loading configuration. */
export const CONFIG_ERRORS = {
  invalid: 'SP_CONFIG_INVALID',
  unreadable: 'SP_CONFIG_UNREADABLE',
} as const;
