/** One message to one person: plain text, with the link it exists for. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /** The action the message offers (verify, reset); the log mailer shows it on its own. */
  link: string;
}

/** Where identity's mail goes: SMTP (SMTP_URL) or, without it, the log. */
export interface Mailer {
  readonly kind: 'smtp' | 'log';
  send(message: MailMessage): Promise<void>;
  close(): Promise<void>;
}
