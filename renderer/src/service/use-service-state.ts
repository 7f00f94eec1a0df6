import { useCallback, useEffect, useState } from 'react';
import type { AdminPermission, ServiceState } from '../../../shared/console-api/service-types.js';
import { api } from '../api/client.js';

/**
 * The service connection as main knows it, refreshed every few seconds (sessions end, audit reports
 * fail in the background) and at once after a connect or disconnect (`set`).
 */
export function useServiceState(intervalMs = 5_000): { state: ServiceState | null; set(s: ServiceState): void; refresh(): Promise<void> } {
  const [state, setState] = useState<ServiceState | null>(null);
  const refresh = useCallback(async () => {
    try {
      setState(await api.serviceState());
    } catch {
      /* main is always there; a failed poll is retried on the next tick */
    }
  }, []);
  useEffect(() => {
    void refresh();
    const t = setInterval(() => void refresh(), intervalMs);
    return () => clearInterval(t);
  }, [refresh, intervalMs]);
  return { state, set: setState, refresh };
}

/** Whether the live session may do `permission` (the service enforces it anyway; this only avoids dead buttons). */
export function can(state: ServiceState | null, permission: AdminPermission): boolean {
  return Boolean(state?.connected?.session.permissions.includes(permission));
}
