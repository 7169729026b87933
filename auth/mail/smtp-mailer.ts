import nodemailer, { type Transporter } from 'nodemailer';
import type { MailMessage, Mailer } from './mailer.js';

export interface SmtpSettings {
  /** `smtp://user:pass@host:port` or `smtps://...` (SMTP_URL). */
  url: string;
  /** `Name <address>` (MAIL_FROM). */
  from: string;
  /** Bounds each stage of a delivery, so an SMTP server that stops answering never holds a send forever. */
  timeoutMs?: number;
}

/** Mail through an SMTP relay with nodemailer; STARTTLS whenever the server offers it. */
export class SmtpMailer implements Mailer {
  readonly kind = 'smtp';
  private readonly transport: Transporter;

  constructor(private readonly settings: SmtpSettings) {
    const timeoutMs = settings.timeoutMs ?? 15_000;
    this.transport = nodemailer.createTransport({ url: settings.url, connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs });
  }

  async send(message: MailMessage): Promise<void> {
    await this.transport.sendMail({ from: this.settings.from, to: message.to, subject: message.subject, text: message.text });
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
