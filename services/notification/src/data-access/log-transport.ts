import type { Logger } from '@platform/shared/logger';
import type { NotificationTransport } from '../domain/ports.ts';

/** Development transport: writes the notice to the log (recipient masked) instead of mailing it. */
export function logTransport(logger: Logger): NotificationTransport {
  return {
    async send(notice) {
      const masked = notice.recipient?.replace(/^(.).*(@.*)$/, '$1***$2') ?? null;
      logger.info({ channel: notice.channel, recipient: masked, subject: notice.subject }, 'notice sent');
    },
  };
}
