import type { Channel, ConsoleHandlers } from '../../../shared/console-api/contract.js';
import { createFleetStatus } from './fleet-status.js';
import type { ServiceConnector } from './service-connector.js';

/** The channels this module answers (everything that reaches an ingest service's admin API). */
export const SERVICE_CHANNELS = [
  'service:state',
  'service:connect',
  'service:disconnect',
  'service:status',
  'service:history',
  'fleet:status',
  'backlog:list',
  'backlog:drain',
  'source:pause',
  'source:resume',
  'dead-letters:list',
  'dead-letter:redrive',
  'dead-letter:discard',
  'replay:start',
  'replay:list',
  'replay:status',
  'replay:cancel',
  'audit:query',
  'subject:forget',
] as const satisfies readonly Channel[];
export type ServiceChannel = (typeof SERVICE_CHANNELS)[number];

/**
 * One handler per service channel, on arguments the contract already parsed. Each is a single admin
 * call through the connector to the service the call names (`fleet:status` asks them all), so
 * permissions, audit events and refusals are that service's own: the console never decides who may
 * drain or discard, it shows what the service answers.
 */
export function serviceHandlers(connector: ServiceConnector, onFleetChange: () => Promise<void> = async () => {}): Pick<ConsoleHandlers, ServiceChannel> {
  const call = connector.call;
  const fleetStatus = createFleetStatus(connector);
  const changed = async <T>(state: T): Promise<T> => (await onFleetChange(), state);
  return {
    'service:state': async () => connector.state(),
    'service:connect': async (args) => changed(await connector.connect(args)),
    'service:disconnect': async ({ service, forget }) => changed(await connector.disconnect(service, forget)),
    'service:status': ({ service }) => call(service, (c) => c.status()),
    'service:history': ({ service }) => call(service, (c) => c.history()),
    'fleet:status': () => fleetStatus(),
    'backlog:list': ({ service, ...query }) => call(service, (c) => c.listBacklog(query)),
    'backlog:drain': ({ service, timeoutMs }) => call(service, (c) => c.drain({ timeoutMs })),
    'source:pause': ({ service, source, reason }) => call(service, (c) => c.pause(source, reason || undefined)),
    'source:resume': ({ service, source }) => call(service, (c) => c.resume(source)),
    'dead-letters:list': ({ service, ...query }) => call(service, (c) => c.listDeadLetters(query)),
    'dead-letter:redrive': ({ service, id }) => call(service, (c) => c.redrive(id)),
    'dead-letter:discard': ({ service, id, reason }) => call(service, (c) => c.discard(id, reason)),
    'replay:start': ({ service, ...request }) => call(service, (c) => c.replay(request)),
    'replay:list': ({ service }) => call(service, (c) => c.listReplays()),
    'replay:status': ({ service, id }) => call(service, (c) => c.replayStatus(id)),
    'replay:cancel': ({ service, id }) => call(service, (c) => c.cancelReplay(id)),
    'audit:query': ({ service, ...query }) => call(service, (c) => c.queryAudit(query)),
    'subject:forget': ({ service, address, reason }) => call(service, (c) => c.forgetSubject(address, reason)),
  };
}
