import type { Channel, ConsoleHandlers } from '../../../shared/console-api/contract.js';
import type { ServiceConnector } from './service-connector.js';

/** The channels this module answers (everything that reaches the ingest service's admin API). */
export const SERVICE_CHANNELS = [
  'service:state',
  'service:connect',
  'service:disconnect',
  'service:status',
  'service:history',
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
] as const satisfies readonly Channel[];
export type ServiceChannel = (typeof SERVICE_CHANNELS)[number];

/**
 * One handler per service channel, on arguments the contract already parsed. Each is a single admin
 * call through the connector, so permissions, audit events and refusals are the service's own: the
 * console never decides who may drain or discard, it shows what the service answers.
 */
export function serviceHandlers(connector: ServiceConnector): Pick<ConsoleHandlers, ServiceChannel> {
  const call = connector.call;
  return {
    'service:state': async () => connector.state(),
    'service:connect': (args) => connector.connect(args),
    'service:disconnect': (args) => connector.disconnect(args?.forget ?? false),
    'service:status': () => call((c) => c.status()),
    'service:history': () => call((c) => c.history()),
    'backlog:list': (args) => call((c) => c.listBacklog(args ?? {})),
    'backlog:drain': (args) => call((c) => c.drain({ timeoutMs: args?.timeoutMs ?? 120_000 })),
    'source:pause': ({ source, reason }) => call((c) => c.pause(source, reason || undefined)),
    'source:resume': ({ source }) => call((c) => c.resume(source)),
    'dead-letters:list': (args) => call((c) => c.listDeadLetters(args ?? {})),
    'dead-letter:redrive': ({ id }) => call((c) => c.redrive(id)),
    'dead-letter:discard': ({ id, reason }) => call((c) => c.discard(id, reason)),
    'replay:start': (args) => call((c) => c.replay(args)),
    'replay:list': () => call((c) => c.listReplays()),
    'replay:status': ({ id }) => call((c) => c.replayStatus(id)),
    'replay:cancel': ({ id }) => call((c) => c.cancelReplay(id)),
    'audit:query': (args) => call((c) => c.queryAudit(args ?? {})),
  };
}
