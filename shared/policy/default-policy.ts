import type { PolicyInput } from './policy-schema.js';

/**
 * The embedded default: support reads what it needs to answer "what happened to my mail",
 * security reads everything personal, analytics reads only the clear part (no section at all).
 */
export const DEFAULT_POLICY: PolicyInput = {
  version: 1,
  departments: {
    support: { keys: [{ local: 'support' }], description: 'Answers customers: address, IP, user agent, URL, reason.' },
    security: { keys: [{ local: 'security' }], description: 'Investigations: every personal field.' },
    analytics: { keys: [{ local: 'analytics' }], description: 'Counts and trends: clear part only.' },
  },
  rules: {
    sendgrid: {
      clear: [
        'event', 'timestamp', 'sg_event_id', 'sg_message_id', 'smtp-id', 'category', 'asm_group_id', 'send_at', 'tls',
        'attempt', 'type', 'bounce_classification', 'sg_content_type', 'sg_machine_open', 'status', 'pool',
        'marketing_campaign_id', 'marketing_campaign_name', 'marketing_campaign_version', 'marketing_campaign_split_id',
        'cert_err', 'sg_template_id', 'sg_template_name',
      ],
      recipient: ['email'],
      grants: {
        support: ['email', 'ip', 'useragent', 'url', 'reason', 'response'],
        security: ['*'],
        analytics: [],
      },
    },
    sns: {
      clear: [
        'eventType', 'notificationType', 'mail.timestamp', 'mail.messageId', 'mail.sendingAccountId', 'mail.sourceArn',
        'mail.headersTruncated', 'mail.tags.ses:configuration-set', 'bounce.bounceType', 'bounce.bounceSubType',
        'bounce.timestamp', 'bounce.feedbackId', 'complaint.complaintFeedbackType', 'complaint.complaintSubType',
        'complaint.timestamp', 'complaint.feedbackId', 'delivery.timestamp', 'delivery.processingTimeMillis',
        'deliveryDelay.delayType', 'deliveryDelay.timestamp', 'deliveryDelay.expirationTime', 'open.timestamp',
        'click.timestamp', 'click.linkTags', 'reject.reason', 'failure.errorMessage', 'failure.templateName',
      ],
      recipient: ['mail.destination.0'],
      grants: {
        support: [
          'mail.destination', 'mail.commonHeaders', 'bounce.bouncedRecipients', 'complaint.complainedRecipients',
          'delivery.recipients', 'deliveryDelay.delayedRecipients', 'open.ipAddress', 'open.userAgent', 'click.ipAddress',
          'click.userAgent', 'click.link',
        ],
        security: ['*'],
        analytics: [],
      },
    },
    events: {
      clear: ['id', 'type', 'time', 'source', 'outcome'],
      recipient: ['subject'],
      grants: {
        support: ['actor', 'subject'],
        security: ['*'],
        analytics: [],
      },
    },
  },
};
