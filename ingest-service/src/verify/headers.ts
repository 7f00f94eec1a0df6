import { unauthenticated } from './errors.js';

/** Request headers as Node (and fastify) hand them over: lower-cased names, arrays only for repeats. */
export type RequestHeaders = Record<string, string | string[] | undefined>;

/**
 * One header's value, looked up case-insensitively. A header sent more than once is refused rather
 * than guessed at: with two signature or timestamp values, either choice could be the forged one.
 */
export function singleHeader(headers: RequestHeaders, name: string): string | undefined {
  const lower = name.toLowerCase();
  let value = headers[lower];
  if (value === undefined) {
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() === lower) {
        value = headers[key];
        break;
      }
    }
  }
  if (Array.isArray(value)) {
    if (value.length !== 1) throw unauthenticated('ambiguous_header', `The ${name} header was sent ${value.length} times; send it exactly once.`);
    value = value[0];
  }
  return value;
}
