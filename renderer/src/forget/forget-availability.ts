import type { ConnectedService, ServiceState } from '../../../shared/console-api/service-types.js';
import { serviceLabel } from '../service/use-service-state.js';

/** Where a forget can be sent, or why it cannot (the button says it instead of staying dead). */
export type ForgetAvailability = { service: ConnectedService; reason?: undefined } | { service?: undefined; reason: string };

/**
 * Which signed-in service a *Forget this person* goes to: the first whose session may `subjects:forget`
 * (every instance follows the same keys topic, so one is enough). The service decides anyway and a
 * refusal is shown as it words it; this only says up front why the action is not offered.
 */
export function forgetAvailability(state: ServiceState | null): ForgetAvailability {
  const connected = state?.connected ?? [];
  if (connected.length === 0) return { reason: 'Forgetting a person is done by an ingest service: sign in to one with an admin role (Ingest service page).' };
  const able = connected.find((c) => c.session.permissions.includes('subjects:forget'));
  if (able) return { service: able };
  const who = connected.map((c) => `${serviceLabel(c)} as ${c.session.identity.roles.join(', ') || 'no role'}`).join('; ');
  return { reason: `Forgetting a person needs the admin role (permission subjects:forget); you are signed in to ${who}.` };
}
