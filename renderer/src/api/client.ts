import { API_METHODS, type SealpostApi } from '../../../shared/console-api/api.js';
import type { ConsoleErrorInfo, Reply } from '../../../shared/console-api/types.js';

/** An error the console's Node side reported: a stable code, a sentence saying what to do, and whether retrying helps. */
export class ConsoleError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  constructor(info: ConsoleErrorInfo) {
    super(info.message);
    this.name = 'ConsoleError';
    this.code = info.code;
    this.retriable = info.retriable;
  }
}

type Value<R> = R extends Promise<Reply<infer T>> ? T : never;
/** The window API with errors thrown instead of returned (nicer in components). */
export type ConsoleApi = { [M in keyof SealpostApi]: (...args: Parameters<SealpostApi[M]>) => Promise<Value<ReturnType<SealpostApi[M]>>> };

function bridge(): SealpostApi {
  const api = (globalThis as { sealpost?: SealpostApi }).sealpost;
  if (!api) throw new ConsoleError({ code: 'SP_CONSOLE_NO_BRIDGE', message: 'The console API is missing: start the console through Electron (npm run console).', retriable: false });
  return api;
}

async function unwrap<T>(reply: Promise<Reply<T>>): Promise<T> {
  const r = await reply;
  if (!r.ok) throw new ConsoleError(r.error);
  return r.value;
}

/**
 * The renderer's only way out: `window.sealpost` (the preload in Electron, the HTTP adapter in
 * browser tests), one method per operation, unwrapped.
 */
export const api = Object.fromEntries(
  (Object.keys(API_METHODS) as (keyof SealpostApi)[]).map((m) => [m, (...args: unknown[]) => unwrap((bridge()[m] as (...a: unknown[]) => Promise<Reply<unknown>>)(...args))]),
) as ConsoleApi;

/** The message to show for anything thrown. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
