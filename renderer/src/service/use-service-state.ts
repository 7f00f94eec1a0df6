import { useCallback, useEffect, useState } from 'react';
import type { AdminPermission, ServiceState } from '../../../shared/console-api/service-types.js';
import { api } from '../api/client.js';

/**
 * The fleet's connections as main knows them, refreshed every few seconds (sessions end, audit
 * reports fail in the background) and at once after a connect or disconnect (`set`).
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

/**
 * Whether our session on `service` may do `permission` (each service decides for itself, and
 * enforces it anyway; this only avoids dead buttons).
 */
export function can(state: ServiceState | null, service: string, permission: AdminPermission): boolean {
  return Boolean(state?.connected.find((c) => c.url === service)?.session.permissions.includes(permission));
}

/** What the operator calls a service: its server id, or its admin URL. */
export function serviceLabel(c: { url: string; serverId: string | null; session?: { serverId: string | null } }): string {
  return c.session?.serverId ?? c.serverId ?? c.url;
}
