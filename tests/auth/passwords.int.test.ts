import { describe, expect, it } from '@jest/globals';
import { OWASP_SCRYPT, PasswordHasher } from '../../auth/passwords/password-hasher.js';
import { checkPasswordPolicy } from '../../auth/passwords/password-policy.js';
import { TEST_SCRYPT } from '../support/identity-harness.js';

describe('passwords', () => {
  it('hashes with the production (OWASP) scrypt parameters and verifies', async () => {
    const hasher = new PasswordHasher();
    const hash = await hasher.hash('correct horse battery staple');
    expect(hash).toMatch(new RegExp(`^scrypt\\$${OWASP_SCRYPT.N}\\$8\\$1\\$`));
    await expect(hasher.verify('correct horse battery staple', hash)).resolves.toBe(true);
    await expect(hasher.verify('correct horse battery stapler', hash)).resolves.toBe(false);
  });

  it('salts every hash, normalises Unicode, and refuses malformed hashes without throwing', async () => {
    const hasher = new PasswordHasher(TEST_SCRYPT);
    const a = await hasher.hash('pässwörd-long');
    expect(a).not.toBe(await hasher.hash('pässwörd-long'));
    await expect(hasher.verify('pa\u0308sswo\u0308rd-long', a)).resolves.toBe(true);
    await expect(hasher.verify('x', 'scrypt$3$8$1$AAAA$AAAA')).resolves.toBe(false);
    await expect(hasher.verify('x', 'plain')).resolves.toBe(false);
  });

  it('does comparable work for an unknown account', async () => {
    const hasher = new PasswordHasher({ N: 2 ** 14, r: 8, p: 1 });
    const hash = await hasher.hash('the real password');
    await hasher.verifyAgainstDummy('warm up');
    const time = async (run: () => Promise<boolean>) => {
      const start = process.hrtime.bigint();
      for (let i = 0; i < 5; i++) await run();
      return Number(process.hrtime.bigint() - start);
    };
    const known = await time(() => hasher.verify('a wrong password', hash));
    const unknown = await time(() => hasher.verifyAgainstDummy('a wrong password'));
    expect(unknown / known).toBeGreaterThan(0.33);
    expect(unknown / known).toBeLessThan(3);
  });

  it('asks for a rehash when the parameters rise', async () => {
    const old = await new PasswordHasher(TEST_SCRYPT).hash('some password');
    expect(new PasswordHasher(TEST_SCRYPT).needsRehash(old)).toBe(false);
    expect(new PasswordHasher({ ...TEST_SCRYPT, N: TEST_SCRYPT.N * 2 }).needsRehash(old)).toBe(true);
  });

  it('applies the policy: at least 8 characters, not the email', () => {
    expect(() => checkPasswordPolicy('1234567', 'a@example.com')).toThrow(/at least 8/);
    expect(() => checkPasswordPolicy('Ada.Lovelace@Example.com', 'ada.lovelace@example.com')).toThrow(/email/);
    expect(() => checkPasswordPolicy('ada.lovelace', 'ada.lovelace@example.com')).toThrow(/email/);
    expect(() => checkPasswordPolicy('12345678', 'a@example.com')).not.toThrow();
  });
});
