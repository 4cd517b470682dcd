import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { NotificationTransport } from '../domain/ports.ts';

/**
 * E-mail over SMTP with nodemailer (the maintained standard for Node), under the notice's own
 * Message-ID. Bounded: a server that does not answer fails the attempt, which is retried later.
 */
export function smtpTransport(url: string, from: string): NotificationTransport {
  const options: SMTPTransport.Options = { url, connectionTimeout: 5_000, greetingTimeout: 5_000, socketTimeout: 10_000 };
  const transporter = nodemailer.createTransport(options);
  return {
    async send(notice) {
      await transporter.sendMail({ from, to: notice.recipient, subject: notice.subject, text: notice.body, messageId: notice.messageId });
    },
  };
}
