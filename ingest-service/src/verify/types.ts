import type { RequestHeaders } from './headers.js';

/** The three kinds of SNS message delivered to an HTTP(S) subscription. */
export type SnsMessageType = 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';

/** What the route hands to a verifier: headers as received and the body bytes exactly as received. */
export interface VerifyRequest {
  headers: RequestHeaders;
  body: Buffer;
}

/** How the request proved its origin; useful as a log field and a metrics label. */
export type VerifyMethod = 'sendgrid-signature' | 'bearer' | 'hmac' | 'sns-signature';

/** A request that proved who sent it. Nothing here is personal: safe to log. */
export interface Verified {
  /** Who sent it: `sendgrid-signature`, `hmac`, `bearer:<sub or azp>`, or the SNS TopicArn. */
  principal: string;
  method: VerifyMethod;
  /** SNS only: which kind of SNS message this is. */
  snsType?: SnsMessageType;
  /** SNS confirmations only: the (validated) URL to visit to confirm or re-subscribe. Never log it. */
  subscribeUrl?: string;
}

/** The slice of a pino logger verification uses, so tests can pass a recorder. */
export interface VerifyLog {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  debug(obj: Record<string, unknown>, msg: string): void;
}

/** Dependencies every verifier takes, injected so tests control time and the network. */
export interface VerifyDeps {
  /** Milliseconds since the epoch (Date.now in production). */
  now(): number;
  /** Fetches an SNS signing certificate (PEM) from an already-validated URL; defaults to HTTPS GET. */
  fetchCertificate?(url: string): Promise<string>;
  log: VerifyLog;
}

/** One source's verifier, built once at start and called for every request. */
export interface Verifier {
  verify(req: VerifyRequest): Promise<Verified>;
}
