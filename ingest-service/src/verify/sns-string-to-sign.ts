import type { SnsMessageType } from './types.js';

const NOTIFICATION_KEYS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const;
const CONFIRMATION_KEYS = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'] as const;

/**
 * The canonical string SNS signs, per the AWS "Verifying the signatures of Amazon SNS messages" guide:
 * for each signed field of the message type, in byte order of the names, `name\nvalue\n`. Subject is
 * signed only when present. Values are the decoded JSON strings, not their escaped form.
 */
export function snsStringToSign(type: SnsMessageType, msg: Record<string, unknown>): string {
  const keys = type === 'Notification' ? NOTIFICATION_KEYS : CONFIRMATION_KEYS;
  let out = '';
  for (const key of keys) {
    const value = msg[key];
    if (value === undefined || value === null) continue;
    out += `${key}\n${String(value)}\n`;
  }
  return out;
}
