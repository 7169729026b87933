import type { Logger } from '../../infra/logging/logger.js';
import type { MailMessage, Mailer } from './mailer.js';

/**
 * Without SMTP_URL the log is the mailbox: each message is written at info,
 * its link included, so one person running Chronicle on their own machine
 * can still verify their address and reset a password. The link is a
 * one-time credential: this is meant for development and single-user
 * installations, never for one whose logs others read.
 */
export class LogMailer implements Mailer {
  readonly kind = 'log';

  constructor(private readonly logger: Logger) {}

  async send(message: MailMessage): Promise<void> {
    this.logger.info({ mail: { to: message.to, subject: message.subject, link: message.link } }, `mail to ${message.to}: ${message.subject}`);
  }

  async close(): Promise<void> {}
}
