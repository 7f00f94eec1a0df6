import { API_METHODS, type SealpostApi } from '../../shared/console-api/api.js';
import type { Reply } from '../../shared/console-api/types.js';

/**
 * FOR BROWSER TESTS ONLY: the same window API as the preload, over HTTP to the bridge (same origin,
 * loopback). Each call echoes the per-run token the bridge put in the page.
 */
export function createHttpApi(token: string): SealpostApi {
  const call = async (channel: string, args: unknown): Promise<Reply<unknown>> => {
    try {
      const res = await fetch(`./api/${encodeURIComponent(channel)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-sealpost-bridge': token },
        body: JSON.stringify(args === undefined ? {} : { args }),
      });
      return (await res.json()) as Reply<unknown>;
    } catch {
      return { ok: false, error: { code: 'SP_CONSOLE_BRIDGE_DOWN', message: 'The test bridge does not answer.', retriable: true } };
    }
  };
  return Object.fromEntries(Object.entries(API_METHODS).map(([method, channel]) => [method, (args?: unknown) => call(channel, args)])) as unknown as SealpostApi;
}
