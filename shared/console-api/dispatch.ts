import { isSealpostError } from '../errors/index.js';
import { CONTRACT, isChannel, type Channel, type ConsoleHandlers } from './contract.js';
import { CONSOLE_API_ERRORS } from './errors.js';
import type { ConsoleErrorInfo, Reply } from './types.js';

/** Turns any thrown value into what the renderer may see: our own errors as they are, anything else as a generic internal error. */
export function toErrorInfo(err: unknown): ConsoleErrorInfo {
  if (isSealpostError(err)) return { code: err.code, message: err.message, retriable: err.retriable };
  return {
    code: CONSOLE_API_ERRORS.internal,
    message: 'The console hit an unexpected error; the details are in its log. Retry, and report it if it repeats.',
    retriable: true,
  };
}

/** Formats the first schema problems as one sentence, without echoing the values themselves. */
function describeIssues(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 3)
    .map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
}

/**
 * Runs one call through the contract: unknown channel refused, arguments parsed with the channel's
 * schema (they are `unknown` until then), errors returned as values. Used by Electron main and the
 * HTTP bridge, so both enforce exactly the same rules. `onUnexpected` sees errors we did not raise.
 */
export async function dispatch(
  handlers: ConsoleHandlers,
  channel: unknown,
  rawArgs: unknown,
  onUnexpected: (err: unknown, channel: Channel) => void = () => {},
): Promise<Reply<unknown>> {
  if (!isChannel(channel)) {
    return { ok: false, error: { code: CONSOLE_API_ERRORS.unknownChannel, message: 'No such console operation.', retriable: false } };
  }
  const parsed = CONTRACT[channel].args.safeParse(rawArgs);
  if (!parsed.success) {
    return {
      ok: false,
      error: { code: CONSOLE_API_ERRORS.badArgs, message: `Invalid request: ${describeIssues(parsed.error.issues)}.`, retriable: false },
    };
  }
  try {
    const handler = handlers[channel] as (args: unknown) => Promise<unknown>;
    return { ok: true, value: await handler(parsed.data) };
  } catch (err) {
    if (!isSealpostError(err)) onUnexpected(err, channel);
    return { ok: false, error: toErrorInfo(err) };
  }
}

/** Refusal for a call from a sender main did not create. */
export function untrustedReply(): Reply<never> {
  return {
    ok: false,
    error: { code: CONSOLE_API_ERRORS.untrustedSender, message: 'Refused: this window is not part of the console.', retriable: false },
  };
}
