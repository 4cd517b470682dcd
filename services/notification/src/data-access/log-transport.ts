import type { Logger } from '@platform/shared/logger';
import type { NotificationTransport } from '../domain/ports.ts';

/** When no SMTP server is configured: writes the notice to the log (recipient masked) instead of mailing it. */
export function logTransport(logger: Logger): NotificationTransport {
  return {
    async send(notice) {
      const masked = notice.recipient.replace(/^(.).*(@.*)$/, '$1***$2');
      logger.info({ channel: notice.channel, recipient: masked, subject: notice.subject, messageId: notice.messageId }, 'notice sent');
    },
  };
}
