import type { MailMessage } from './mailer.js';

/** The texts of identity's messages; each says what to do when the reader did not ask for it. */
export function verificationMessage(to: string, link: string, validForSeconds: number): MailMessage {
  return {
    to,
    subject: 'Confirm your email address',
    link,
    text: [
      'Confirm that this is your address by opening this link:',
      '',
      link,
      '',
      `The link works once, for ${describeDuration(validForSeconds)}.`,
      'If you did not create an account, ignore this message: the account stays unconfirmed.',
    ].join('\n'),
  };
}

export function passwordResetMessage(to: string, link: string, validForSeconds: number): MailMessage {
  return {
    to,
    subject: 'Reset your password',
    link,
    text: [
      'Choose a new password by opening this link:',
      '',
      link,
      '',
      `The link works once, for ${describeDuration(validForSeconds)}. Setting a new password signs out every device.`,
      'If you did not ask for this, ignore this message: your password stays as it is.',
    ].join('\n'),
  };
}

function describeDuration(seconds: number): string {
  if (seconds % 86_400 === 0) return plural(seconds / 86_400, 'day');
  if (seconds % 3600 === 0) return plural(seconds / 3600, 'hour');
  return plural(Math.ceil(seconds / 60), 'minute');
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}
