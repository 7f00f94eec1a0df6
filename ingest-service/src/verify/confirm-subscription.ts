import { SealpostError } from '../../../shared/errors/index.js';
import { VERIFY_ERRORS } from './errors.js';
import { httpsGet, type HttpsGetResult } from './https-get.js';
import { checkSnsUrl } from './sns-url.js';
import type { VerifyLog } from './types.js';

/** What confirming needs; `get` is injectable so tests never reach AWS. */
export interface ConfirmDeps {
  get?(url: string): Promise<HttpsGetResult>;
  log?: VerifyLog;
}

/**
 * Confirms an SNS subscription by visiting its SubscribeURL, after checking again that the URL is
 * Amazon SNS's own (https, sns.<region>.amazonaws.com[.cn], no userinfo or port), so a forged
 * confirmation cannot make the service call an arbitrary host. Call it only with a verified message.
 * Throws SP_SNS_CONFIRM_FAILED (retriable when AWS could not be reached or answered 5xx).
 */
export async function confirmSubscription(subscribeUrl: string, deps: ConfirmDeps = {}): Promise<void> {
  const checked = checkSnsUrl(subscribeUrl);
  if (!checked.ok) {
    throw new SealpostError(VERIFY_ERRORS.confirmFailed, `The SubscribeURL is not an Amazon SNS URL (${checked.problem}); the subscription was not confirmed.`, {
      status: 403,
      retriable: false,
      details: { reason: 'subscribe_url_not_allowed' },
    });
  }
  let res: HttpsGetResult;
  try {
    res = await (deps.get ?? ((u: string) => httpsGet(u, { timeoutMs: 10_000 })))(checked.url.href);
  } catch (cause) {
    throw new SealpostError(VERIFY_ERRORS.confirmFailed, `Amazon SNS (${checked.url.hostname}) could not be reached to confirm the subscription; SNS will resend the confirmation, or confirm by hand in the SNS console.`, {
      status: 502,
      retriable: true,
      details: { reason: 'confirm_unreachable' },
      cause,
    });
  }
  if (res.status !== 200) {
    throw new SealpostError(VERIFY_ERRORS.confirmFailed, `Amazon SNS answered HTTP ${res.status} to the subscription confirmation; the token may have expired (3 days): request a new confirmation from the SNS console.`, {
      status: 502,
      retriable: res.status >= 500,
      details: { reason: 'confirm_refused', httpStatus: res.status },
    });
  }
  deps.log?.info({ host: checked.url.hostname }, 'SNS subscription confirmed with AWS');
}
