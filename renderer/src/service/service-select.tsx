import type { ConnectedService } from '../../../shared/console-api/service-types.js';
import { serviceLabel } from './use-service-state.js';

/**
 * Which connected service a fleet page shows. Renders nothing for a single service, so a page of one
 * service keeps its layout; `label` wraps it in a labelled field for filter bars.
 */
export function ServiceSelect(props: { services: ConnectedService[]; value: string; onChange(url: string): void; testId: string; label?: boolean }) {
  if (props.services.length < 2) return null;
  const select = (
    <select value={props.value} onChange={(e) => props.onChange(e.target.value)} data-testid={props.testId}>
      {props.services.map((s) => (
        <option key={s.url} value={s.url}>
          {serviceLabel(s)}
        </option>
      ))}
    </select>
  );
  return props.label ? (
    <label>
      Service
      {select}
    </label>
  ) : (
    select
  );
}
