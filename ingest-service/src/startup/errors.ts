/** Error codes raised before the service starts anything (its ports). */
export const STARTUP_ERRORS = {
  portUnavailable: 'SP_PORT_UNAVAILABLE',
} as const;
