const SNS_HOST = /^sns\.([a-z]{2}(?:-[a-z]+)+-\d{1,2})\.amazonaws\.com(?:\.cn)?$/;
/** arn:<partition>:sns:<region>:<account>:<topic> */
const TOPIC_ARN = /^arn:aws(?:-cn|-us-gov)?:sns:([a-z]{2}(?:-[a-z]+)+-\d{1,2}):\d{12}:[A-Za-z0-9_.-]{1,256}$/;
/** AWS's own form, and nothing else: one path segment `SimpleNotificationService-<hex>.pem`. */
const CERT_PATH = /^\/(SimpleNotificationService-[0-9a-f]{16,64}\.pem)$/;

/** Why an SNS URL was refused; no part of the URL itself, which is attacker-controlled. */
export type SnsUrlProblem = 'not_a_url' | 'not_https' | 'userinfo' | 'port' | 'host' | 'path' | 'region';

/**
 * Checks that a URL from an SNS message points at Amazon SNS itself: https, no userinfo, no explicit
 * port, host exactly `sns.<region>.amazonaws.com` (or `.com.cn`). Parsed with WHATWG URL, never
 * matched as a string, so `sns.us-east-1.amazonaws.com.evil.com` or `...@evil.com` cannot pass.
 */
export function checkSnsUrl(raw: string): { ok: true; url: URL } | { ok: false; problem: SnsUrlProblem } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, problem: 'not_a_url' };
  }
  if (url.protocol !== 'https:') return { ok: false, problem: 'not_https' };
  if (url.username !== '' || url.password !== '') return { ok: false, problem: 'userinfo' };
  // WHATWG URL drops a default :443, so a port here is any explicit non-default one.
  if (url.port !== '') return { ok: false, problem: 'port' };
  if (!SNS_HOST.test(url.hostname)) return { ok: false, problem: 'host' };
  return { ok: true, url };
}

/**
 * The region of an SNS TopicArn (`arn:aws:sns:<region>:<account>:<topic>`), or undefined when it is not
 * one: SNS signs with the certificate of the topic's own region, so that is the only host to fetch from.
 */
export function snsTopicRegion(topicArn: string): string | undefined {
  return TOPIC_ARN.exec(topicArn)?.[1];
}

/**
 * Checks a SigningCertURL: an SNS URL of `region` (the TopicArn's; another or a made-up region, or
 * none because the TopicArn is not one, is refused) whose path is exactly AWS's
 * `/SimpleNotificationService-<hex>.pem`, without query or fragment. Pinned so an unauthenticated sender cannot vary the host or path to make the service
 * fetch (and cache) anything else. Returns the file name, also the name looked up in certDir.
 */
export function checkSigningCertUrl(raw: string, region: string | undefined): { ok: true; url: URL; fileName: string } | { ok: false; problem: SnsUrlProblem } {
  const checked = checkSnsUrl(raw);
  if (!checked.ok) return checked;
  const { url } = checked;
  if (region === undefined || SNS_HOST.exec(url.hostname)?.[1] !== region) return { ok: false, problem: 'region' };
  const path = CERT_PATH.exec(url.pathname);
  if (url.search !== '' || url.hash !== '' || !path) return { ok: false, problem: 'path' };
  return { ok: true, url, fileName: path[1]! };
}
