import { ValidationError } from '../../domain/shared/errors.js';

export const MIN_PASSWORD_LENGTH = 8;
/** Long enough for any passphrase, short enough that hashing stays cheap to refuse. */
export const MAX_PASSWORD_LENGTH = 256;

/**
 * NIST 800-63B's rules: a minimum length, no composition rules, and not
 * something an attacker already knows (here: the account's own email).
 * The message never repeats the password.
 */
export function checkPasswordPolicy(password: string, email: string): void {
  const problems: string[] = [];
  const length = [...password.normalize('NFKC')].length;
  if (length < MIN_PASSWORD_LENGTH) problems.push(`must be at least ${MIN_PASSWORD_LENGTH} characters`);
  if (length > MAX_PASSWORD_LENGTH) problems.push(`must be at most ${MAX_PASSWORD_LENGTH} characters`);
  const lowered = password.trim().toLowerCase();
  const address = email.trim().toLowerCase();
  if (lowered === address || lowered === address.split('@')[0]) problems.push('must not be the email address');
  if (problems.length > 0) {
    throw new ValidationError(`the password ${problems.join(' and ')}`, {
      code: 'weak_password',
      details: problems.map((message) => ({ path: 'password', message })),
    });
  }
}
