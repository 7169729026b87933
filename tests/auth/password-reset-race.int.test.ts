import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { INSTALLATION_STREAM } from '../../domain/installation/installation.js';
import type { EventStore } from '../../infra/event-store/event-store.js';
import type { IdentityService } from '../../auth/identity-service.js';
import { SmtpMailer } from '../../auth/mail/smtp-mailer.js';
import { createIdentityHarness, GOOD_PASSWORD, request, uniqueEmail, type IdentityHarness } from '../support/identity-harness.js';
import { linkIn, startTestMailbox, type TestMailbox } from '../support/test-mailbox.js';

/**
 * A login that verified the old password, and opens its session only after
 * a reset has ended every session, must not keep that session. The gap is
 * made deterministic: the login's event store runs the whole reset at the
 * moment the login reads the installation stream (after the hash check,
 * before the session starts).
 */
describe('a password reset racing a login with the old password', () => {
  let mailbox: TestMailbox;
  let h: IdentityHarness;
  let resetter: IdentityService;
  let racing: IdentityService;
  let duringLogin: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    mailbox = await startTestMailbox();
    h = await createIdentityHarness({ mailer: new SmtpMailer({ url: mailbox.url, from: 'chronicle@chronicle.test' }) });
    resetter = h.identity;
    const store = h.store;
    const interrupting: EventStore = new Proxy(store, {
      get(target, property) {
        if (property === 'readStream') {
          return async (...args: Parameters<EventStore['readStream']>) => {
            if (args[0] === INSTALLATION_STREAM && duringLogin) {
              const step = duringLogin;
              duringLogin = undefined;
              await step();
            }
            return target.readStream(...args);
          };
        }
        const value: unknown = Reflect.get(target, property);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    racing = await h.createService({ eventStore: interrupting });
    await resetter.signup({ email: uniqueEmail('first'), password: GOOD_PASSWORD }, request()); // the installation's first, so others are not
  });
  afterAll(async () => {
    await racing?.close();
    await resetter?.close();
    await h?.dispose();
    await mailbox?.close();
  });

  it('refuses the login and ends the session it opened', async () => {
    const email = uniqueEmail('owner');
    const { user } = await resetter.signup({ email, password: GOOD_PASSWORD }, request());
    await mailbox.next(email);
    await resetter.requestPasswordReset({ email }, request());
    const token = new URLSearchParams(linkIn(await mailbox.next(email)).hash.slice(1)).get('token') ?? '';
    duringLogin = () => resetter.confirmPasswordReset({ token, newPassword: 'the new passphrase 9' }, request());

    await expect(racing.login({ email, password: GOOD_PASSWORD }, request())).rejects.toMatchObject({ code: 'invalid_credentials' });
    expect(duringLogin).toBeUndefined(); // the reset did run inside the login
    expect(await h.knex('auth_sessions').where({ user_id: user.id, revoked_at: null })).toEqual([]);
    await expect(resetter.login({ email, password: 'the new passphrase 9' }, request())).resolves.toMatchObject({ user: { id: user.id } });
  });
});
